// The browser talks to one origin: /api/nms/* is forwarded to the nms service,
// which checks the session token itself (signed by us, verified with our public key).
import httpProxy from '@fastify/http-proxy';
import { AppError } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';

/** `ca`: the CA that must have issued nms's certificate (undefined: the system's roots); never unverified. */
export async function registerNmsProxy(app: FastifyInstance, nmsUrl: string, bodyLimit: number, ca?: Buffer): Promise<void> {
  await app.register(httpProxy, {
    upstream: nmsUrl,
    prefix: '/api/nms',
    rewritePrefix: '/api/nms',
    // Bodies are streamed through: refuse an oversized one here, or nms's early 413 reaches the
    // browser as a broken pipe.
    preHandler: async (req) => {
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > bodyLimit) throw new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${bodyLimit} bytes`, 413);
    },
    // reply-from turns certificate checks off unless told otherwise.
    http: { requestOptions: { timeout: 15_000, rejectUnauthorized: true, ...(ca ? { ca } : {}) } },
    replyOptions: {
      // The browser's origin was checked here (installBrowserGuards); nms, on another host:port, would refuse it.
      // The caller's address goes along, so nms never mistakes a relayed request for one from this machine.
      rewriteRequestHeaders: (req, headers) => {
        const { origin: _o, referer: _r, ...rest } = headers;
        return { ...rest, 'x-forwarded-for': req.socket.remoteAddress ?? 'unknown' };
      },
      onError(reply, { error }) {
        reply
          .code(502)
          .send({ ok: false, error: { code: 'NMS_UNAVAILABLE', message: `Network monitoring service unreachable: ${error.message}` } });
      },
    },
  });
}
