// Plain RTP transports for room systems (SIP/RTP hardware codecs) and synthetic senders.
import type { types } from 'mediasoup';

export interface PlainTransportOptions {
  listenIp: string;
  announcedAddress?: string;
  /** Learn the remote address from the first packet it sends. */
  comedia: boolean;
  rtcpMux: boolean;
  /** comedia: where the sender's RTP comes from, once learnt from its first packet. */
  onTuple?: (remote: { ip: string; port: number }) => void;
}

export interface PlainTransportInfo {
  id: string;
  ip: string;
  port: number;
  rtcpPort: number | undefined;
}

export async function openPlainTransport(
  router: types.Router,
  opts: PlainTransportOptions,
  appData: Record<string, unknown>,
): Promise<{ transport: types.PlainTransport; info: PlainTransportInfo }> {
  const transport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: opts.listenIp, ...(opts.announcedAddress ? { announcedAddress: opts.announcedAddress } : {}) },
    comedia: opts.comedia,
    rtcpMux: opts.rtcpMux,
    appData,
  });
  const { onTuple } = opts;
  if (onTuple)
    transport.on('tuple', (t) => {
      if (t.remoteIp && t.remotePort) onTuple({ ip: t.remoteIp, port: t.remotePort });
    });
  const info = {
    id: transport.id,
    ip: transport.tuple.localAddress,
    port: transport.tuple.localPort,
    rtcpPort: transport.rtcpTuple?.localPort,
  };
  return { transport, info };
}
