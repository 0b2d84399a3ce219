// REST calls with the session token; failures become ApiError with the server's code.
import { auth, setSession } from '../auth.svelte';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
  const data = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: { code: string; message: string } };
  if (!res.ok || data.ok === false) {
    if (res.status === 401) setSession(null);
    throw new ApiError(data.error?.code ?? `HTTP_${res.status}`, data.error?.message ?? res.statusText, res.status);
  }
  return data as T;
}
