// One mediasoup-client transport wired to signalling: DTLS connect, produce, the path
// fallback (relay.ts), and an ICE restart when the network has trouble while the socket stays up.
import type { Device, types } from 'mediasoup-client';
import type { SignallingClient } from '../signalling/client';
import { iceWatchdog } from './reconnect';

export async function restartIce(sig: SignallingClient, t: types.Transport): Promise<void> {
  const { iceParameters } = await sig.request('media:restartIce', { transportId: t.id });
  await t.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
}

/** How a transport takes part in the path fallback (relay.ts). */
export interface TransportPaths {
  forNewTransport(): Promise<RTCIceServer[] | undefined>;
  beforeRestart(t: types.Transport): Promise<void>;
  onState(t: types.Transport, state: string): void;
  fallback: { settled(id: string): boolean; forget(id: string): void };
}

export async function makeTransport(
  device: Device,
  sig: SignallingClient,
  direction: 'send' | 'recv',
  paths: TransportPaths,
): Promise<types.Transport> {
  const info = await sig.request('media:createTransport', { direction });
  const iceServers = await paths.forNewTransport();
  const params = {
    id: info.id,
    iceParameters: info.iceParameters as unknown as types.IceParameters,
    iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
    dtlsParameters: info.dtlsParameters as unknown as types.DtlsParameters,
    ...(iceServers ? { iceServers } : {}),
  };
  const t = direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
  t.on('connect', ({ dtlsParameters }, ok, fail) => {
    sig
      .request('media:connectTransport', { transportId: t.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> })
      .then(() => ok(), fail);
  });
  if (direction === 'send') {
    t.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
      sig
        .request('media:produce', {
          transportId: t.id,
          kind,
          rtpParameters: rtpParameters as unknown as Record<string, unknown>,
          source: (appData as { source: 'mic' | 'camera' | 'screen' }).source,
        })
        .then(({ producerId }) => ok({ id: producerId }), fail);
    });
  }
  // Until it has connected once, the fallback (direct, then the relay) owns the transport's ICE.
  const watchdog = iceWatchdog(
    () =>
      void paths
        .beforeRestart(t)
        .then(() => restartIce(sig, t))
        .catch(() => undefined),
    () => !t.closed && sig.socket.connected && paths.fallback.settled(t.id),
  );
  t.on('connectionstatechange', (state) => {
    paths.onState(t, state);
    watchdog(state);
  });
  t.observer.on('close', () => paths.fallback.forget(t.id));
  return t;
}
