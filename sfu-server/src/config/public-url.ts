// This server's own https URL, from its configuration (there is no setting of its own): the first
// https origin allowed, else the certificate's first extra name, the address it listens on, or the
// media's announced address, at http.port. What the demo seeds as the province server's URL.
import type { SfuConfig } from './schema';

const ANY_ADDRESS = new Set(['', '0.0.0.0', '::', '[::]']);

export function publicUrl(config: Pick<SfuConfig, 'http' | 'media'>, lanAddress: () => string): string {
  const allowed = config.http.allowedOrigins.find((o) => o.startsWith('https://'));
  if (allowed) return allowed;
  const named = config.http.tls.names[0];
  const host = [named, config.http.host, config.media.announcedAddress].find((h) => h !== undefined && !ANY_ADDRESS.has(h)) ?? lanAddress();
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return config.http.port === 443 ? `https://${bracketed}` : `https://${bracketed}:${config.http.port}`;
}
