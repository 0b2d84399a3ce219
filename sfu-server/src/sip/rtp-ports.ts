// Room systems send their media to ports of one configured range (sip.rtpPorts), the range the
// firewall opens to the sites: a port outside it would be dropped on its way in.
import { createSocket, type Socket } from 'node:dgram';
import { AppError } from '@lienthong/kit';

export interface PortRange {
  min: number;
  max: number;
}

/** Ports one room-system call holds on the outside address: audio, video RTP and RTCP, the RTCP relay. */
export const PORTS_PER_CALL = 4;

const tryBind = (s: Socket, port: number, ip: string) =>
  new Promise<boolean>((resolve) => {
    const fail = () => resolve(false);
    s.once('error', fail);
    s.bind(port, ip, () => {
      s.off('error', fail);
      resolve(true);
    });
  });

/**
 * A UDP socket bound to a free port of `range` on `ip` (port 0, any free one, without a range).
 * It starts at a random port and walks the range, so calls at once do not all try the same port first.
 */
export async function bindUdp(ip: string, range: PortRange | undefined): Promise<Socket> {
  if (!range) {
    const s = createSocket('udp4');
    if (!(await tryBind(s, 0, ip))) throw new AppError('MEDIA_PORT_UNAVAILABLE', `No UDP port can be bound on ${ip}`, 503);
    return s;
  }
  const size = range.max - range.min + 1;
  const first = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const s = createSocket('udp4');
    if (await tryBind(s, range.min + ((first + i) % size), ip)) return s;
    try {
      s.close();
    } catch {
      // never bound
    }
  }
  throw new AppError('MEDIA_PORT_UNAVAILABLE', `Every port of ${range.min}-${range.max} (sip.rtpPorts) is in use on ${ip}`, 503);
}
