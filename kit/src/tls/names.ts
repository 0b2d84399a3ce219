// The names a server certificate must carry for every way a browser on the network may reach this machine.
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { ServerNames } from './x509';

/** localhost, the hostname, loopback, every interface address, plus `extra` (announced address, configured names). */
export function machineNames(extra: readonly string[] = []): ServerNames {
  const dns = new Set<string>(['localhost']);
  const ips = new Set<string>(['127.0.0.1', '::1']);
  const add = (name: string) => {
    const n = name.trim().replace(/^\[|\]$/g, '');
    if (!n || n === '0.0.0.0' || n === '::') return;
    if (isIP(n)) ips.add(n.replace(/%.*$/, ''));
    else dns.add(n.toLowerCase());
  };
  add(hostname());
  for (const a of Object.values(networkInterfaces()).flat()) if (a) add(a.address);
  for (const n of extra) add(n);
  return { dns: [...dns], ips: [...ips] };
}

/** The address other PCs most likely reach this machine at: its first non-internal IPv4 address. */
export const firstLanAddress = (): string =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
