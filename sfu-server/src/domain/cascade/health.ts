// Where the rest of sfu-server reads the health of this server's cascade links: the cascade node
// (its pings) behind a port, so routes and metrics need no NATS. Absent: no cascade runs here.
import type { NeighbourHealth } from '../../protocol/servers';

export interface CascadeHealthSource {
  /** This server's id in the server tree. */
  readonly serverId: string;
  neighbours(): NeighbourHealth[];
}
