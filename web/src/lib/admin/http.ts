// REST helpers for the admin screens: like lib/api/rest.ts but keep the error's `details`
// (import problems, the clashing meeting) and can send raw CSV or download a file.
import { ApiError } from '../api/rest';
import { auth, setSession } from '../auth.svelte';

export class DetailedApiError extends ApiError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly details: unknown,
  ) {
    super(code, message, status);
  }
}

export interface ImportProblem {
  line: number;
  message: string;
}

function headers(contentType?: string): Record<string, string> {
  const h: Record<string, string> = {};
  if (auth.token) h.authorization = `Bearer ${auth.token}`;
  if (contentType) h['content-type'] = contentType;
  return h;
}

async function fail(res: Response): Promise<never> {
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: unknown } };
  if (res.status === 401) setSession(null);
  throw new DetailedApiError(
    data.error?.code ?? `HTTP_${res.status}`,
    data.error?.message ?? res.statusText,
    res.status,
    data.error?.details,
  );
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? undefined : 'application/json'),
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) return fail(res);
  const data = (await res.json().catch(() => ({}))) as { ok?: boolean };
  if (data.ok === false) return fail(res);
  return data as T;
}

/** Sends a text body as is (CSV import). */
export async function callRaw<T>(method: string, path: string, text: string, contentType: string): Promise<T> {
  const res = await fetch(path, { method, headers: headers(contentType), body: text });
  if (!res.ok) return fail(res);
  return (await res.json()) as T;
}

/** Fetches with the token (a plain link would not carry it) and saves under the server's file name. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(path, { headers: headers() });
  if (!res.ok) return fail(res);
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function importProblems(e: unknown): ImportProblem[] {
  if (!(e instanceof DetailedApiError)) return [];
  const d = e.details as { problems?: unknown } | undefined;
  if (!Array.isArray(d?.problems)) return [];
  return d.problems.filter((p): p is ImportProblem => typeof (p as ImportProblem)?.line === 'number');
}
