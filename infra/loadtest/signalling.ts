// Typed socket.io client for one simulated site: the session token in the handshake (as the web
// app's cookie would be), the server's certificate checked against --ca, requests that time out.
import {
  type Ack,
  type ClientRequestName,
  type RequestOf,
  type ResponseOf,
  type ServerEventName,
  type ServerEventOf,
  SIGNALLING_PATH,
} from '@lienthong/sfu-server/protocol';
import { io, type Socket } from 'socket.io-client';

export class SignallingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Signalling {
  private constructor(readonly socket: Socket) {}

  static connect(url: string, token: string, ca: string | undefined, timeoutMs = 15_000): Promise<Signalling> {
    const socket = io(url, {
      path: SIGNALLING_PATH,
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
      timeout: timeoutMs,
      ...(ca ? { ca } : {}),
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new Signalling(socket)));
      socket.once('connect_error', (e) => {
        socket.close();
        reject(new SignallingError('CONNECT_FAILED', `signalling: ${e.message}`));
      });
    });
  }

  request<E extends ClientRequestName>(event: E, data: RequestOf<E>, timeoutMs = 15_000): Promise<ResponseOf<E>> {
    return new Promise((resolve, reject) => {
      this.socket.timeout(timeoutMs).emit(event, data, (err: Error | null, ack: Ack<ResponseOf<E>>) => {
        if (err) return reject(new SignallingError('TIMEOUT', `${event} timed out`));
        if (ack.ok) resolve(ack.data);
        else reject(new SignallingError(ack.error.code, `${event}: ${ack.error.code}: ${ack.error.message}`));
      });
    });
  }

  on<E extends ServerEventName>(event: E, fn: (data: ServerEventOf<E>) => void): void {
    this.socket.on(event as string, fn as (...args: unknown[]) => void);
  }

  close(): void {
    this.socket.close();
  }
}
