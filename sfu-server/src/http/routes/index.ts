// The core REST API (auth, sites, users, rooms, meetings) in one encapsulated scope:
// bodies checked by TypeBox itself (unknown keys rejected, not stripped), and schema
// failures reported as VALIDATION_FAILED before any handler runs.
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Core } from '../../core';
import { attendanceRoutes } from './attendance';
import { authRoutes } from './auth';
import { meetingRoutes } from './meetings';
import { roomRoutes } from './rooms';
import { siteRoutes } from './sites';
import { userRoutes } from './users';

export async function registerApiRoutes(app: FastifyInstance, core: Core): Promise<void> {
  await app.register(async (scope) => {
    scope.setValidatorCompiler(TypeBoxValidatorCompiler);
    scope.setErrorHandler((err: FastifyError, _req, reply) => {
      if (err.validation) {
        const problems = err.validation.map((v) => `${err.validationContext ?? 'body'}${v.instancePath || '/'}: ${v.message ?? 'invalid'}`);
        return reply
          .code(400)
          .send({ ok: false, error: { code: 'VALIDATION_FAILED', message: problems.join('; '), details: { problems } } });
      }
      throw err; // the app-wide handler maps AppError and hides the rest
    });
    // Site tree import accepts CSV as text; the app-wide bodyLimit still applies.
    scope.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    authRoutes(scope, core);
    siteRoutes(scope, core);
    userRoutes(scope, core);
    roomRoutes(scope, core);
    meetingRoutes(scope, core);
    attendanceRoutes(scope, core);
  });
}
