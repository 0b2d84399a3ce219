// One typed REST client, built from a service's route table: `api.call('meetings.get', { params: { id } })`
// fills the URL from the route's path, sends the body as the route takes it, and types the reply from
// its schema (types only: no validators in the bundle). Failures become ApiError with the server's
// code and details; a 401 ends the local session, so the app shows the login page.
import { type CallArgs, type CallInput, type ReplyOf, type RouteSpec, type RouteTable, routeUrl } from '@lienthong/kit/rest';
import type { NmsRoutes } from '@lienthong/nms/protocol';
import type { SfuRoutes } from '@lienthong/sfu-server/protocol';
import { setSession } from '../auth.svelte';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** What the server adds to some codes: import problems, the clashing meeting... */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface RestClient<T extends RouteTable> {
  /** Resolves once the route table is here: from then on `url` answers. */
  ready(): Promise<void>;
  /** The reply of a JSON route, or the text of one whose spec names another reply type. */
  call<N extends keyof T & string>(name: N, ...args: CallArgs<T[N]>): Promise<ReplyOf<T[N]>>;
  /** The route's URL, for a link the browser opens itself (the session cookie goes with it). */
  url<N extends keyof T & string>(name: N, ...args: CallArgs<T[N]>): string;
  /** Fetches the file and saves it under the server's file name. */
  download<N extends keyof T & string>(name: N, fallbackName: string, ...args: CallArgs<T[N]>): Promise<void>;
}

type ErrorBody = { ok?: boolean; error?: { code?: string; message?: string; details?: unknown } };

function failure(res: Response, data: ErrorBody): ApiError {
  if (res.status === 401) setSession(null);
  const e = data.error;
  return new ApiError(e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, res.status, e?.details);
}

async function send(spec: RouteSpec, input: Partial<CallInput<RouteSpec>> = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const body = input.body as unknown;
  const asText = typeof body === 'string' && spec.textBody?.[0];
  if (body !== undefined) headers['content-type'] = asText || 'application/json';
  const res = await fetch(routeUrl(spec, input), {
    method: spec.method,
    credentials: 'same-origin', // the HttpOnly session cookie
    headers,
    body: body === undefined ? null : asText ? (body as string) : JSON.stringify(body),
  });
  if (!res.ok) throw failure(res, await res.json().catch(() => ({})));
  return res;
}

function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A client over a route table that arrives later: the tables carry the TypeBox schemas (the largest
 * part of the app's first load), the client needs only methods and paths, so they come in their own
 * chunk, fetched at start-up while the login page is already usable. A failed fetch is tried again.
 */
export function restClient<T extends RouteTable>(loadTable: () => Promise<T>): RestClient<T> {
  let loaded: T | undefined;
  let pending: Promise<T> | undefined;
  const table = (): Promise<T> => {
    pending ??= loadTable().then(
      (t) => (loaded = t),
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
    return pending;
  };
  table().catch(() => undefined);
  const spec = async (name: string): Promise<RouteSpec> => (await table())[name] as RouteSpec;
  return {
    ready: () => table().then(() => undefined),
    async call(name, ...[input]) {
      const s = await spec(name);
      const res = await send(s, input);
      if (s.replyType) return (await res.text()) as ReplyOf<T[typeof name]>;
      const data = (await res.json().catch(() => ({}))) as ErrorBody;
      if (data.ok === false) throw failure(res, data);
      return data as ReplyOf<T[typeof name]>;
    },
    url(name, ...[input]) {
      // Pages drawing links are loaded after ready() (lib/pages.ts), so the table is here by then.
      if (!loaded) throw new Error(`route table not loaded yet for ${name}`);
      return routeUrl(loaded[name] as RouteSpec, input);
    },
    async download(name, fallbackName, ...[input]) {
      const res = await send(await spec(name), input);
      const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
      saveFile(await res.blob(), named ?? fallbackName);
    },
  };
}

/** sfu-server's REST API. */
export const api = restClient<typeof SfuRoutes>(() => import('./route-tables').then((m) => m.SfuRoutes));
/** nms's REST API, through sfu-server's /api/nms proxy. */
export const nmsApi = restClient<typeof NmsRoutes>(() => import('./route-tables').then((m) => m.NmsRoutes));
