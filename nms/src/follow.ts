// What nms reads from sfu-server in the background (session key, logged-out sessions, site
// tree) runs on one loop: now, then again after each run, until stopped.
import { readFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';

export interface Follower {
  stop(): void;
  /** Settles after the first run, whatever its outcome. */
  first: Promise<void>;
}

/** With untilOk the loop ends at the first run that succeeds (a one-time fetch retried). */
export function repeat(
  task: () => Promise<void>,
  everyMs: number,
  onError: (e: Error) => void,
  opts: { untilOk?: boolean } = {},
): Follower {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let settleFirst!: () => void;
  const first = new Promise<void>((r) => {
    settleFirst = r;
  });
  const run = async () => {
    let ok = false;
    try {
      await task();
      ok = true;
    } catch (e) {
      onError(e as Error);
    } finally {
      settleFirst();
      if (!stopped && !(ok && opts.untilOk)) {
        timer = setTimeout(() => void run(), everyMs);
        timer.unref();
      }
    }
  };
  void run();
  return {
    first,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * Whom nms trusts for HTTPS to sfu-server: the CA file (auth.caFile, read at each fetch so a CA made by a
 * service starting beside us is found), or undefined for the system's roots. Certificates are always checked.
 */
export type TrustedCa = string | undefined;

/** GET with a timeout; anything but 2xx is an error. HTTPS verifies the server against `caFile`. */
export async function fetchOk(url: string, caFile?: TrustedCa): Promise<Response> {
  if (!url.startsWith('https:')) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res;
  }
  const ca = caFile ? await readFile(caFile) : undefined;
  const { status, body } = await new Promise<{ status: number; body: Buffer }>((done, fail) => {
    const req = httpsGet(url, { ...(ca ? { ca } : {}), timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', fail);
  });
  if (status < 200 || status > 299) throw new Error(`HTTP ${status}`);
  return new Response(new Uint8Array(body), { status });
}

/** Error codes of a server certificate nms does not trust (node's TLS verification). */
export const isUntrustedCertificate = (e: Error): boolean =>
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/.test((e as NodeJS.ErrnoException).code ?? '');
