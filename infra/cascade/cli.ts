// npm run cascade -- hub|district [options]: NATS configuration, certificates and passwords for one
// meeting over several servers (docs/design/cascade.md), run at the province. --help for the options;
// infra/production/INSTALL.md ("Adding a district server") for the whole procedure.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DISTRICT_DEFAULTS, type DistrictSettings, loadDistrict, runDistrict } from './district';
import { type Changes, hidePassword, UsageError } from './files';
import { HUB_DEFAULTS, type HubSettings, loadHub, runHub } from './hub';

export const HELP = `npm run cascade -- <command> [options]

Sets up the NATS network of a cascade (one meeting over the province server and district servers):
the hub at the province, a leaf node at each district, each server with its own account, password
and (districts) client certificate from the province's internal CA. Run it at the province, as root.
Every nats-server configuration written is checked with \`nats-server -t\` first. Running it again
changes nothing; keys and passwords are kept unless --rotate.

Commands:
  hub        the province: nats.conf, the hub certificate, the province sfu-server's NATS password
             and its cascade: block (DIR/cascade.yaml)
  district   one district: a bundle DIR/districts/<id>/ to copy to the district machine

hub options (a later run keeps every option left out, except --rotate and --new-ca):
  --dir DIR            where everything is written (default /etc/lienthong/nats, the systemd unit's)
  --ca-dir DIR         the internal CA (default /var/lib/lienthong/ca, sfu-server's http.tls.caDir)
  --id ID              the province server's id (its cascade.serverId)
  --address IP[,IP]    the hub's WAN address(es): on its certificate; districts connect to one of them
  --districts ID[,ID]  every district server's id, as on the admin page (the whole list: an id left
                       out is refused by the hub from then on)
  --link-ip IP         where the province's media links listen (default the first --address)
  --leaf-port N        the port districts connect to (default ${HUB_DEFAULTS.leafPort}, TCP, open it to them)
  --leaf-listen IP     the address it listens on (default ${HUB_DEFAULTS.leafListen})
  --client-port N      the loopback port sfu-server connects to (default ${HUB_DEFAULTS.clientPort})
  --owner USER         give nats-server's files to USER (nats, the user of lienthong-nats.service)
  --rotate             a new hub certificate and key, and a new sfu-server password
  --new-ca             make the CA if --ca-dir has none (normally sfu-server's first start makes it)

district options:
  --dir DIR            the hub's directory (default /etc/lienthong/nats)
  --id ID              the district server's id (one of the hub's --districts)
  --link-ip IP         the district server's address the province reaches (its cascade.linkIp)
  --hub-address IP     the hub address it connects to (default the hub's first --address)
  --client-port N      its loopback NATS port for its sfu-server (default ${DISTRICT_DEFAULTS.clientPort})
  --install-dir DIR    where the bundle goes on the district (default ${DISTRICT_DEFAULTS.installDir})
  --rotate             a new client certificate and key, and a new sfu-server password

  --help               this text

Exit code: 0 done, 1 failed (a message says why), 2 bad usage.`;

const OPTIONS = {
  dir: { type: 'string' },
  'ca-dir': { type: 'string' },
  id: { type: 'string' },
  address: { type: 'string', multiple: true },
  districts: { type: 'string', multiple: true },
  'link-ip': { type: 'string' },
  'leaf-port': { type: 'string' },
  'leaf-listen': { type: 'string' },
  'client-port': { type: 'string' },
  'hub-address': { type: 'string' },
  'install-dir': { type: 'string' },
  owner: { type: 'string' },
  rotate: { type: 'boolean' },
  'new-ca': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

const HUB_ONLY = ['ca-dir', 'address', 'districts', 'leaf-port', 'leaf-listen', 'owner', 'new-ca'];
const DISTRICT_ONLY = ['hub-address', 'install-dir'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function port(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new UsageError(`--${name} must be a port number (1-65535), got ${v}`);
  return n;
}

/** Repeated or comma-separated: --districts a,b --districts c. */
const list = (v: string[] | undefined) =>
  v
    ?.flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);

function hubSettings(v: Values, dir: string): HubSettings {
  const saved = loadHub(dir);
  const addresses = list(v.address) ?? saved?.addresses ?? [];
  return {
    id: v.id ?? saved?.id ?? '',
    caDir: v['ca-dir'] ?? saved?.caDir ?? '/var/lib/lienthong/ca',
    addresses,
    districts: list(v.districts) ?? saved?.districts ?? [],
    leafPort: port('leaf-port', v['leaf-port'], saved?.leafPort ?? HUB_DEFAULTS.leafPort),
    leafListen: v['leaf-listen'] ?? saved?.leafListen ?? HUB_DEFAULTS.leafListen,
    clientPort: port('client-port', v['client-port'], saved?.clientPort ?? HUB_DEFAULTS.clientPort),
    linkIp: v['link-ip'] ?? saved?.linkIp ?? addresses[0] ?? '',
    owner: v.owner ?? saved?.owner ?? HUB_DEFAULTS.owner,
  };
}

function districtSettings(v: Values, dir: string): DistrictSettings {
  if (!v.id) throw new UsageError('--id is required: the district server id');
  const saved = loadDistrict(dir, v.id);
  const linkIp = v['link-ip'] ?? saved?.linkIp;
  if (!linkIp) throw new UsageError('--link-ip is required: the district server address the province reaches');
  return {
    id: v.id,
    linkIp,
    hubAddress: v['hub-address'] ?? saved?.hubAddress ?? loadHub(dir)?.addresses[0] ?? '',
    clientPort: port('client-port', v['client-port'], saved?.clientPort ?? DISTRICT_DEFAULTS.clientPort),
    installDir: v['install-dir'] ?? saved?.installDir ?? DISTRICT_DEFAULTS.installDir,
  };
}

function report(changes: Changes, out: (line: string) => void): void {
  const written = changes.written;
  out(written.length ? `written: ${written.join(', ')}` : 'nothing changed');
}

async function hub(v: Values, dir: string, out: (line: string) => void): Promise<void> {
  const r = await runHub(dir, hubSettings(v, dir), { rotate: !!v.rotate, newCa: !!v['new-ca'] });
  report(r.changes, out);
  if (r.certIssued) out(`hub certificate issued (${r.certIssued}) for ${r.settings.addresses.join(', ')}`);
  if (r.added.length) out(`districts added: ${r.added.join(', ')}; for each: npm run cascade -- district --id ID --link-ip IP`);
  if (r.removed.length) out(`districts removed: ${r.removed.join(', ')}; the hub refuses them from now on`);
  const written = r.changes.written;
  // hub.json is only this tool's memory; the password is also in nats.conf and cascade.yaml.
  if (written.some((f) => !/(hub\.json|cascade\.yaml|sfu-nats-password)$/.test(f)))
    out('nats.conf or its certificate changed: systemctl restart lienthong-nats (between meetings)');
  if (written.some((f) => f.endsWith('cascade.yaml')))
    out(
      `${dir}/cascade.yaml changed: put it in place of the cascade: section of /etc/lienthong/sfu-server.yaml, then systemctl restart lienthong-sfu-server`,
    );
  out(`\nthe cascade: block for this server's sfu-server.yaml is in ${dir}/cascade.yaml:\n${hidePassword(r.yaml)}`);
}

async function district(v: Values, dir: string, out: (line: string) => void): Promise<void> {
  const r = await runDistrict(dir, districtSettings(v, dir), { rotate: !!v.rotate });
  report(r.changes, out);
  out(`\nbundle: ${r.bundle}/ (keys and password: copy it only over SSH, to ${r.settings.installDir}/ on ${r.settings.id})`);
  out(`its cascade: block (in the bundle's cascade.yaml):\n${hidePassword(r.yaml)}`);
}

/** Runs one command; returns the exit code. */
export async function main(argv: string[], out: (line: string) => void = console.log, err = console.error): Promise<number> {
  let v: Values;
  let command: string | undefined;
  try {
    const parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    v = parsed.values;
    if (v.help || !parsed.positionals.length) {
      out(HELP);
      return v.help ? 0 : 2;
    }
    if (parsed.positionals.length > 1) throw new UsageError(`one command at a time, got ${parsed.positionals.join(' ')}`);
    command = parsed.positionals[0];
    if (command !== 'hub' && command !== 'district') throw new UsageError(`unknown command ${command}: hub or district`);
    const wrong = (command === 'hub' ? DISTRICT_ONLY : HUB_ONLY).filter((o) => v[o as keyof Values] !== undefined);
    if (wrong.length) throw new UsageError(`${wrong.map((o) => `--${o}`).join(', ')}: not an option of ${command}`);
    const dir = v.dir ?? DISTRICT_DEFAULTS.installDir;
    await (command === 'hub' ? hub(v, dir, out) : district(v, dir, out));
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`${(e as Error).message}\n(npm run cascade -- --help for the options)`);
      return 2;
    }
    err(`cascade ${command ?? ''} failed: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
