// One typed REST client, built from a service's route table: `api.call('meetings.get', { params: { id } })`
// fills the URL from the route's path, sends the body as the route takes it, and types the reply from
// its schema (types only: no validators in the bundle). Failures become ApiError with the server's
// code and details; a 401 ends the local session, so the app shows the login page.
import { type CallArgs, type CallInput, type ReplyOf, type RouteSpec, type RouteTable, routeUrl } from '@lienthong/kit/rest';
import { NmsRoutes } from '@lienthong/nms/protocol';
import { SfuRoutes } from '@lienthong/sfu-server/protocol';
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

export function restClient<T extends RouteTable>(table: T): RestClient<T> {
  const spec = (name: string): RouteSpec => table[name] as RouteSpec;
  return {
    async call(name, ...[input]) {
      const s = spec(name);
      const res = await send(s, input);
      if (s.replyType) return (await res.text()) as ReplyOf<T[typeof name]>;
      const data = (await res.json().catch(() => ({}))) as ErrorBody;
      if (data.ok === false) throw failure(res, data);
      return data as ReplyOf<T[typeof name]>;
    },
    url: (name, ...[input]) => routeUrl(spec(name), input),
    async download(name, fallbackName, ...[input]) {
      const res = await send(spec(name), input);
      const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
      saveFile(await res.blob(), named ?? fallbackName);
    },
  };
}

/** sfu-server's REST API. */
export const api = restClient(SfuRoutes);
/** nms's REST API, through sfu-server's /api/nms proxy. */
export const nmsApi = restClient(NmsRoutes);
