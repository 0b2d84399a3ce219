// What a browser may make the services do. Cookies go along to every page of the same site (any port
// of the host), so a request's Origin decides; the security headers keep the app out of frames and
// scripts to its own origin; /metrics names meetings and sites, so it is not for anonymous callers.
import { createHash, timingSafeEqual } from 'node:crypto';

type Headers = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Methods that change state: a foreign page must not be able to send them with the user's cookie. */
export const isStateChanging = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());

/** The origin the browser says a request comes from (Origin, else the Referer's); undefined from non-browser clients. */
export function requestOrigin(headers: Headers): string | undefined {
  const origin = one(headers.origin);
  if (origin !== undefined) return origin;
  const referer = one(headers.referer);
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** One of `allowed` (exact origins, e.g. https://hop.example.vn behind a proxy), or the same host:port as the Host header. */
export function originAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true;
  if (!host) return false;
  try {
    const o = new URL(origin);
    if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
    return new URL(`${o.protocol}//${host}`).host === o.host;
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage
  }
}

/** True when a browser sent this request for a page of another origin. */
export function fromForeignOrigin(headers: Headers, allowed: readonly string[]): boolean {
  const origin = requestOrigin(headers);
  return origin !== undefined && !originAllowed(origin, one(headers.host), allowed);
}

/** The web app's policy: its own scripts only; media from the camera (mediastream:) and blob: URLs; no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'", // Svelte's style: directives and uPlot set styles through the DOM, which CSP allows
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-host'];
const isLoopback = (address: string | undefined) =>
  !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who may read /metrics: with a token configured, only its bearer; without one, only a scraper on this
 * machine connecting directly (a request relayed by a reverse proxy carries forwarding headers).
 */
export function metricsReader(token: string | undefined, headers: Headers, remoteAddress: string | undefined): boolean {
  if (token) {
    const auth = one(headers.authorization);
    return !!auth?.startsWith('Bearer ') && timingSafeEqual(digest(auth.slice(7)), digest(token));
  }
  return isLoopback(remoteAddress) && !PROXY_HEADERS.some((h) => headers[h] !== undefined);
}
