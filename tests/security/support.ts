// What the attack tests share: HTTP from a chosen loopback source address (each 127.x.y.z is a
// different "PC" to the server), and outcomes read as codes.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = { ok?: boolean; error?: { code: string; details?: unknown } }>(): T;
  ms: number;
}

export function http(
  url: string,
  /** caFile: for https:// URLs, the CA that must have issued the server's certificate. */
  opts: { method?: string; from?: string; headers?: Record<string, string>; body?: string | object; caFile?: string } = {},
): Promise<Reply> {
  const u = new URL(url);
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (typeof opts.body === 'object') headers['content-type'] ??= 'application/json';
  const t0 = performance.now();
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        ...(opts.from ? { localAddress: opts.from } : {}),
        agent: false,
        ...(opts.caFile ? { ca: readFileSync(opts.caFile) } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json: () => JSON.parse(text),
            ms: performance.now() - t0,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const loginFrom = (url: string, from: string, username: string, password: string, headers: Record<string, string> = {}) =>
  http(`${url}/api/auth/login`, { from, body: { username, password }, headers });

/** The error code of a reply, or OK. */
export const codeOf = (r: Reply): string => (r.status < 300 ? 'OK' : (r.json().error?.code ?? `HTTP ${r.status}`));

export function count<T extends string>(items: T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}
