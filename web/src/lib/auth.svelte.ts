// The logged-in user's session token (also sent as an HttpOnly cookie by the server;
// this copy authenticates the socket.io connection).
export const auth = $state<{ token: string | null; name: string | null; siteName: string | null; roles: string[] }>({
  token: sessionStorage.getItem('lt_token'),
  name: sessionStorage.getItem('lt_name'),
  siteName: sessionStorage.getItem('lt_site'),
  roles: JSON.parse(sessionStorage.getItem('lt_roles') ?? '[]') as string[],
});

export function setSession(s: { token: string; name: string; siteName: string; roles: string[] } | null): void {
  auth.token = s?.token ?? null;
  auth.name = s?.name ?? null;
  auth.siteName = s?.siteName ?? null;
  auth.roles = s?.roles ?? [];
  if (s) {
    sessionStorage.setItem('lt_token', s.token);
    sessionStorage.setItem('lt_name', s.name);
    sessionStorage.setItem('lt_site', s.siteName);
    sessionStorage.setItem('lt_roles', JSON.stringify(s.roles));
  } else {
    for (const k of ['lt_token', 'lt_name', 'lt_site', 'lt_roles']) sessionStorage.removeItem(k);
  }
}
