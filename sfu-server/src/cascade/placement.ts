// Where the province puts a site's media: on the server its subtree is assigned to (the admin's
// server assignment), or here for the province's own subtree and while no server is configured.
import type { MediaServerService } from '../domain/cascade/service';
import { LOCAL_SERVER_ID } from '../protocol/servers';
import type { Placement } from './split-room-media';

export function sitePlacement(servers: Pick<MediaServerService, 'serving' | 'tree'>): Placement {
  return {
    serverOf(siteId) {
      const s = servers.serving().get(siteId);
      if (!s || s.id === LOCAL_SERVER_ID || servers.tree().get(s.id) === null) return null;
      return s.id;
    },
  };
}
