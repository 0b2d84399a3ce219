// HTTPS JSON calls to the server's REST API, verifying its certificate against --ca (or Node's roots).
import { request } from 'node:https';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    readonly base: string,
    readonly ca: string | undefined,
    private token?: string,
  ) {}

  withToken(token: string): Api {
    return new Api(this.base, this.ca, token);
  }

  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (data !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return new Promise((resolve, reject) => {
      const req = request(`${this.base}${path}`, { method, headers, ...(this.ca ? { ca: this.ca } : {}), timeout: 15_000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          let json: { ok?: boolean; error?: { code: string; message: string } };
          try {
            json = JSON.parse(text);
          } catch {
            return reject(new ApiError(res.statusCode ?? 0, 'BAD_REPLY', `${method} ${path}: HTTP ${res.statusCode}, not JSON`));
          }
          if (json.ok === false || (res.statusCode ?? 500) >= 400) {
            const e = json.error ?? { code: `HTTP_${res.statusCode}`, message: text.slice(0, 200) };
            return reject(new ApiError(res.statusCode ?? 0, e.code, `${method} ${path}: ${e.code}: ${e.message}`));
          }
          resolve(json as T);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 15 s`)));
      req.on('error', reject);
      if (data !== undefined) req.write(data);
      req.end();
    });
  }
}

/** A session token; waits and retries while the server rate-limits logins from this address. */
export async function login(api: Api, username: string, password: string, deadline = Date.now() + 120_000): Promise<string> {
  for (;;) {
    try {
      const r = await api.call<{ token: string; mustChangePassword: boolean }>('POST', '/api/auth/login', { username, password });
      if (r.mustChangePassword) throw new Error(`${username} must change its password first (log in once in the web app)`);
      return r.token;
    } catch (e) {
      const busy = e instanceof ApiError && (e.code === 'RATE_LIMITED' || e.code === 'SERVER_BUSY');
      if (!busy || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 2000 + Math.random() * 2000));
    }
  }
}
