// Plain RTP transports for room systems (SIP/RTP hardware codecs) and synthetic senders.
import type { types } from 'mediasoup';
import { portRangeOption } from './port-range';

export interface PlainTransportOptions {
  listenIp: string;
  /** Where its ports come from (default: below the ephemeral range, see port-range.ts). */
  portRange?: types.TransportPortRange;
  announcedAddress?: string;
  /** Learn the remote address from the first packet it sends. */
  comedia: boolean;
  rtcpMux: boolean;
  /** comedia: where the sender's RTP comes from, once learnt from its first packet. */
  onTuple?: (remote: { ip: string; port: number }) => void;
  /** SRTP (SDES): the sender's key (AES_CM_128_HMAC_SHA1_80, base64); ours is in the answer. */
  srtpRemoteKey?: string;
}

export interface PlainTransportInfo {
  id: string;
  ip: string;
  port: number;
  rtcpPort: number | undefined;
  /** Our SRTP key (base64) when the sender keyed its line. */
  srtpKey?: string;
}

export async function openPlainTransport(
  router: types.Router,
  opts: PlainTransportOptions,
  appData: Record<string, unknown>,
): Promise<{ transport: types.PlainTransport; info: PlainTransportInfo }> {
  const transport = await router.createPlainTransport({
    listenInfo: {
      protocol: 'udp',
      ip: opts.listenIp,
      ...(opts.portRange ? { portRange: opts.portRange } : portRangeOption()),
      ...(opts.announcedAddress ? { announcedAddress: opts.announcedAddress } : {}),
    },
    comedia: opts.comedia,
    rtcpMux: opts.rtcpMux,
    appData,
    ...(opts.srtpRemoteKey ? { enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' as const } : {}),
  });
  if (opts.srtpRemoteKey)
    await transport.connect({ srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: opts.srtpRemoteKey } });
  const { onTuple } = opts;
  if (onTuple)
    transport.on('tuple', (t) => {
      if (t.remoteIp && t.remotePort) onTuple({ ip: t.remoteIp, port: t.remotePort });
    });
  const info: PlainTransportInfo = {
    id: transport.id,
    ip: transport.tuple.localAddress,
    port: transport.tuple.localPort,
    rtcpPort: transport.rtcpTuple?.localPort,
    ...(transport.srtpParameters ? { srtpKey: transport.srtpParameters.keyBase64 } : {}),
  };
  return { transport, info };
}
