// A raw socket.io client for signalling tests that speak the wire protocol directly.
import { io, type Socket } from 'socket.io-client';

export type AckT = { ok: boolean; data?: Record<string, unknown>; error?: { code: string; message: string } };

export function connect(url: string, token: string | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { path: '/socket.io', auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => {
      s.close();
      reject(e);
    });
  });
}

export const ask = (s: Socket, event: string, ...args: unknown[]): Promise<AckT> => s.timeout(5000).emitWithAck(event, ...args);

/** 'OK' or the error code of an ack. */
export const code = async (p: Promise<AckT>): Promise<string> => (await p).error?.code ?? 'OK';

/** A minimal Opus producer (mediasoup validates it; no media needs to flow). */
export const opusProducer = (ssrc: number, cname: string) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  encodings: [{ ssrc }],
  rtcp: { cname },
});
