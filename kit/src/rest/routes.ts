// REST route tables: each service's protocol lists its routes (method, path, input and reply
// schemas, who may call); its Fastify routes and the web client are both built from that list.
// Types only and plain functions here, so the web app can import it without the validators.
import type { Static, TSchema } from 'typebox';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route: anyone, any logged-in user, or a logged-in user with one of the roles. */
export type Access = 'public' | 'user' | { readonly roles: readonly string[] };

export interface RouteSpec {
  readonly method: HttpMethod;
  /** `:name` segments are filled from `params`. */
  readonly path: string;
  readonly access: Access;
  readonly params?: TSchema;
  readonly query?: TSchema;
  readonly body?: TSchema;
  /** Media types whose body arrives as text, for the handler to parse (a CSV import) instead of `body`. */
  readonly textBody?: readonly string[];
  /** The JSON reply on success; with `replyType`, the text it carries. */
  readonly reply: TSchema;
  /** Media type of a reply that is not JSON (CSV, HTML, PEM); the handler may set another. */
  readonly replyType?: string;
  /** Status on success when not 200 (201 for creations). */
  readonly status?: number;
  /** Polled by machines: logged at warn level only. */
  readonly polled?: boolean;
  /** Largest body, bytes, when smaller than the service's http.bodyLimit. */
  readonly bodyLimit?: number;
}

export type RouteTable = Readonly<Record<string, RouteSpec>>;

type Part<R, K extends 'params' | 'query' | 'body', Else> = R extends { readonly [P in K]: infer S extends TSchema } ? Static<S> : Else;

export type ParamsOf<R> = Part<R, 'params', Record<string, never>>;
export type QueryOf<R> = Part<R, 'query', Record<string, never>>;
export type BodyOf<R> = Part<R, 'body', undefined> | (R extends { readonly textBody: readonly string[] } ? string : never);
export type ReplyOf<R> = R extends { readonly reply: infer S extends TSchema } ? Static<S> : never;

/** What a client passes: params and body when the route has them, query when it takes one. */
export type CallInput<R> = (R extends { readonly params: TSchema } ? { params: ParamsOf<R> } : { params?: never }) &
  (R extends { readonly query: TSchema } ? { query?: QueryOf<R> } : { query?: never }) &
  (R extends { readonly body: TSchema }
    ? { body: BodyOf<R> }
    : R extends { readonly textBody: readonly string[] }
      ? { body: string }
      : { body?: never });

/** Arguments of a call: the input may be left out when nothing in it is required. */
export type CallArgs<R> = Record<string, never> extends CallInput<R> ? [input?: CallInput<R>] : [input: CallInput<R>];

type Plain = Readonly<Record<string, unknown>>;

/** The URL of a route: path params filled in and encoded, the query appended (undefined values left out). */
export function routeUrl(spec: Pick<RouteSpec, 'path'>, input: { params?: object; query?: object } = {}): string {
  const params = (input.params ?? {}) as Plain;
  const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined || v === null) throw new Error(`${spec.path}: missing :${name}`);
    return encodeURIComponent(String(v));
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries((input.query ?? {}) as Plain)) if (v !== undefined && v !== null) q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z0-9_]+)/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

/** The route a request goes to (fixed segments before `:params`, as Fastify does), or undefined. */
export function matchRoute<T extends RouteTable>(table: T, method: string, url: string): [keyof T & string, RouteSpec] | undefined {
  const path = url.split('?')[0] ?? url;
  const params = (p: string) => (p.match(/:/g) ?? []).length;
  const candidates = Object.entries(table)
    .filter(([, s]) => s.method === method.toUpperCase() && pathPattern(s.path).test(path))
    .sort(([, a], [, b]) => params(a.path) - params(b.path));
  return candidates[0] as [keyof T & string, RouteSpec] | undefined;
}
