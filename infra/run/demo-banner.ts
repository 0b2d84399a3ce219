// npm start is the demo, never a deployment: said in a box at start and again with the URLs.
const LINES = [
  'THIS IS A DEMO. NOT FOR PRODUCTION.',
  '',
  'It seeds demo sites and accounts whose passwords are public',
  '(sfu-server/DEMO-ACCOUNTS.md) and simulated network devices.',
  'To deploy for a province: README "Deploy for a province",',
  'infra/production/INSTALL.md (production config, systemd, backups).',
];

export function demoBanner(): string[] {
  const width = Math.max(...LINES.map((l) => l.length));
  const edge = `+${'-'.repeat(width + 4)}+`;
  return [edge, ...LINES.map((l) => `|  ${l.padEnd(width)}  |`), edge];
}
