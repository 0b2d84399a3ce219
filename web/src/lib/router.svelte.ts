// Hash routes: #/login, #/meetings, #/lobby/<id>, #/room/<id>, #/selftest, #/network
export const route = $state<{ path: string; parts: string[] }>(parse());

function parse(): { path: string; parts: string[] } {
  const path = location.hash.replace(/^#/, '') || '/';
  return { path, parts: path.split('?')[0]!.split('/').filter(Boolean) };
}

window.addEventListener('hashchange', () => {
  const r = parse();
  route.path = r.path;
  route.parts = r.parts;
});

export function go(path: string): void {
  location.hash = path;
}
