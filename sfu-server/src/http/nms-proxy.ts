// The browser talks to one origin: /api/nms/* is forwarded to the nms service,
// which checks the session token itself (signed by us, verified with our public key).
import httpProxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';

export async function registerNmsProxy(app: FastifyInstance, nmsUrl: string): Promise<void> {
  await app.register(httpProxy, {
    upstream: nmsUrl,
    prefix: '/api/nms',
    rewritePrefix: '/api/nms',
    http: { requestOptions: { timeout: 15_000 } },
    replyOptions: {
      onError(reply, { error }) {
        reply
          .code(502)
          .send({ ok: false, error: { code: 'NMS_UNAVAILABLE', message: `Network monitoring service unreachable: ${error.message}` } });
      },
    },
  });
}
