// One mediasoup-client transport wired to signalling: DTLS connect, produce, and an ICE
// restart when the network has trouble while the socket stays up.
import type { Device, types } from 'mediasoup-client';
import type { SignallingClient } from '../signalling/client';
import { iceWatchdog } from './reconnect';

export async function restartIce(sig: SignallingClient, t: types.Transport): Promise<void> {
  const { iceParameters } = await sig.request('media:restartIce', { transportId: t.id });
  await t.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
}

export async function makeTransport(device: Device, sig: SignallingClient, direction: 'send' | 'recv'): Promise<types.Transport> {
  const info = await sig.request('media:createTransport', { direction });
  const params = {
    id: info.id,
    iceParameters: info.iceParameters as unknown as types.IceParameters,
    iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
    dtlsParameters: info.dtlsParameters as unknown as types.DtlsParameters,
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
  t.on(
    'connectionstatechange',
    iceWatchdog(
      () => void restartIce(sig, t).catch(() => undefined),
      () => !t.closed && sig.socket.connected,
    ),
  );
  return t;
}
