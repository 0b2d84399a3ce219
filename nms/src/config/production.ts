// Start-up guard: a value still holding a production sample's placeholder (infra/production/nms.yaml)
// never starts, or a token printed in the repository would guard /metrics and the alert webhook.
export const PLACEHOLDER = 'REPLACE-with';

function placeholders(value: unknown, path: string): string[] {
  if (typeof value === 'string') return value.startsWith(PLACEHOLDER) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholders(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => placeholders(v, `${path}.${k}`));
  return [];
}

/** The one line to print when the config must not start nms, or null. */
export function placeholderProblem(config: object): string | null {
  const unset = placeholders(config, '').map((p) => p.slice(1));
  if (unset.length === 0) return null;
  return `${unset.join(', ')} still ${unset.length === 1 ? 'holds' : 'hold'} the sample's placeholder: set your own value in the config file`;
}
