// Who is sent which rows of the table of what adaptation shed (media:adaptation). The chair and the
// console operators see every site's row on the console; a site's own screen shows only its own row
// and which sites send no video (drawn as sound only). Sent whole to everyone, a few hundred sites
// would each get every site's row at each change anywhere.
import type { SiteAdaptation } from '../protocol';

export function rowsFor(sites: readonly SiteAdaptation[], viewerPeerId: string, console: boolean): SiteAdaptation[] {
  return console ? [...sites] : sites.filter((s) => s.peerId === viewerPeerId || s.sendVideoPaused);
}
