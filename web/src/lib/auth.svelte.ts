// Who is signed in, for display only: name, site and roles. The session itself is the HttpOnly
// lt_session cookie the server sets at login and clears at logout: page scripts never see it, and the
// browser sends it with every REST call and the socket.io handshake of this origin.
const KEYS = ['lt_name', 'lt_site', 'lt_roles'] as const;
sessionStorage.removeItem('lt_token'); // kept by versions before the cookie-only session

export const auth = $state<{ signedIn: boolean; session: number; name: string | null; siteName: string | null; roles: string[] }>({
  signedIn: sessionStorage.getItem('lt_name') !== null,
  /** Changes at every login and logout: caches of "who am I" key on it. */
  session: 0,
  name: sessionStorage.getItem('lt_name'),
  siteName: sessionStorage.getItem('lt_site'),
  roles: JSON.parse(sessionStorage.getItem('lt_roles') ?? '[]') as string[],
});

export function setSession(s: { name: string; siteName: string; roles: string[] } | null): void {
  auth.signedIn = s !== null;
  auth.session += 1;
  auth.name = s?.name ?? null;
  auth.siteName = s?.siteName ?? null;
  auth.roles = s?.roles ?? [];
  if (s) {
    sessionStorage.setItem('lt_name', s.name);
    sessionStorage.setItem('lt_site', s.siteName);
    sessionStorage.setItem('lt_roles', JSON.stringify(s.roles));
  } else {
    for (const k of KEYS) sessionStorage.removeItem(k);
  }
}
