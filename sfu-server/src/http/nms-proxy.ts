// The browser talks to one origin: /api/nms/* is forwarded to the nms service,
// which checks the session token itself (signed by us, verified with our public key).
import httpProxy from '@fastify/http-proxy';
import { AppError } from '@lienthong/kit';
import type { FastifyInstance } from 'fastify';

export async function registerNmsProxy(app: FastifyInstance, nmsUrl: string, bodyLimit: number): Promise<void> {
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
    http: { requestOptions: { timeout: 15_000 } },
    replyOptions: {
      // The browser's origin was checked here (installBrowserGuards); nms, on another host:port, would refuse it.
      rewriteRequestHeaders: (_req, headers) => {
        const { origin: _o, referer: _r, ...rest } = headers;
        return rest;
      },
      onError(reply, { error }) {
        reply
          .code(502)
          .send({ ok: false, error: { code: 'NMS_UNAVAILABLE', message: `Network monitoring service unreachable: ${error.message}` } });
      },
    },
  });
}
