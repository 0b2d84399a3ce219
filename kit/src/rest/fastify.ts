// Serves a route table on Fastify: params, query and body are checked against the table's
// schemas (unknown keys refused, never dropped) before the handler runs, the caller is checked
// against the route's access, and each handler is typed from its route (input and reply).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from '../errors';
import { createParser, type Parser } from '../validation';
import type { BodyOf, ParamsOf, QueryOf, ReplyOf, RouteSpec, RouteTable } from './routes';

export type InputPart = 'params' | 'querystring' | 'body';

export interface RouteInput<R, C> {
  params: ParamsOf<R>;
  query: QueryOf<R>;
  body: BodyOf<R>;
  /** The verified caller; undefined on public routes. */
  caller: R extends { readonly access: 'public' } ? undefined : C;
  req: FastifyRequest;
  reply: FastifyReply;
}

export type RouteHandler<R, C> = (input: RouteInput<R, C>) => Promise<ReplyOf<R>> | ReplyOf<R>;

/** One handler for every route of the table: a missing one is a compile error. */
export type Handlers<T extends RouteTable, C> = { [K in keyof T]: RouteHandler<T[K], C> };

/** The handlers of one group of routes (names `group.*`), for a module that owns that group. */
export type GroupHandlers<T extends RouteTable, C, G extends string> = {
  [K in keyof T as K extends `${G}.${string}` ? K : never]: RouteHandler<T[K], C>;
};

export interface ServeOptions<C> {
  /**
   * Verifies the session (throws a coded error such as UNAUTHENTICATED) and returns the caller;
   * `route` is the route's name in the table, for sessions limited to some routes.
   */
  authenticate(req: FastifyRequest, route: string): Promise<C>;
  roles(caller: C): readonly string[];
  /** Check the caller as soon as the request arrives, before its body is read; default: after the input is checked. */
  callerFirst?: boolean;
  /** Builds the checker of a schema (default: the kit's createParser). */
  parser?: (schema: TSchema) => Parser<TSchema>;
  /** The error for invalid input (problems like "/name: unknown key"); default VALIDATION_FAILED, 400. */
  invalid?: (part: InputPart, problems: string[]) => AppError;
}

const defaultInvalid = (part: InputPart, raw: string[]): AppError => {
  const problems = raw.map((p) => `${part}${p.startsWith('/') ? '' : '/'}${p}`);
  return new AppError('VALIDATION_FAILED', problems.join('; '), 400, { problems });
};

/** Registers every route of `table` on `app` (one Fastify scope: text body parsers are added to it). */
export function serveRoutes<T extends RouteTable, C>(
  app: FastifyInstance,
  table: T,
  handlers: Handlers<T, C>,
  opts: ServeOptions<C>,
): void {
  const textTypes = new Set(Object.values(table).flatMap((s) => s.textBody ?? []));
  for (const type of textTypes)
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  for (const [name, spec] of Object.entries(table)) {
    serveRoute(app, name, spec, handlers[name] as RouteHandler<RouteSpec, C>, opts);
  }
}

function serveRoute<C>(
  app: FastifyInstance,
  name: string,
  spec: RouteSpec,
  handler: RouteHandler<RouteSpec, C>,
  opts: ServeOptions<C>,
): void {
  const parse = opts.parser ?? createParser;
  const invalid = opts.invalid ?? defaultInvalid;
  const parsers = {
    params: spec.params && parse(spec.params),
    querystring: spec.query && parse(spec.query),
    body: spec.body && parse(spec.body),
  };
  const check = (part: InputPart, value: unknown): unknown => {
    const parser = parsers[part];
    if (!parser) return part === 'body' ? undefined : {};
    // Params and query arrive as strings: convert them to the schema's types first.
    const converted = part === 'body' ? value : Value.Convert(parser.schema, value ?? {});
    const r = parser.parse(converted);
    if (!r.ok) throw invalid(part, r.problems);
    return r.value;
  };
  const callers = new WeakMap<FastifyRequest, C>();
  const admit = async (req: FastifyRequest): Promise<C> => {
    const caller = await opts.authenticate(req, name);
    const access = spec.access;
    if (typeof access === 'object' && !access.roles.some((r) => opts.roles(caller).includes(r)))
      throw new AppError('FORBIDDEN', `This needs one of the roles: ${access.roles.join(', ')}`, 403);
    return caller;
  };
  const early = opts.callerFirst && spec.access !== 'public';
  const checkType = bodyTypeCheck(spec);
  app.route({
    method: spec.method,
    url: spec.path,
    ...(spec.polled ? { logLevel: 'warn' as const } : {}),
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
    onRequest: early ? [checkType, async (req: FastifyRequest) => void callers.set(req, await admit(req))] : checkType,
    handler: async (req, reply) => {
      const params = check('params', req.params);
      const query = check('querystring', req.query);
      const body = typeof req.body === 'string' && spec.textBody ? req.body : check('body', req.body);
      const caller = spec.access === 'public' ? undefined : (callers.get(req) ?? (await admit(req)));
      if (spec.status) reply.code(spec.status);
      if (spec.replyType) reply.type(spec.replyType);
      return handler({ params, query, body, caller, req, reply } as RouteInput<RouteSpec, C>);
    },
  });
}

/**
 * JSON, or one of the route's text types, and nothing else: a page of another site can make the browser
 * POST text/plain (or a form) without asking first, but not application/json.
 */
function bodyTypeCheck(spec: RouteSpec): (req: FastifyRequest) => Promise<void> {
  const accepted = ['application/json', ...(spec.textBody ?? [])];
  return async (req) => {
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== undefined && type !== '' && !accepted.includes(type))
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `This route takes ${accepted.join(' or ')}, not ${type}`, 415);
  };
}
