// Typed socket.io client for the ClientRequests table. Requests time out rather
// than hang, and failures surface as SignallingError with the server's code.
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
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class SignallingClient {
  readonly socket: Socket;

  /** The handshake carries the HttpOnly session cookie of this origin: no token in page scripts. */
  constructor(url = '/') {
    this.socket = io(url, {
      path: SIGNALLING_PATH,
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
    });
  }

  request<E extends ClientRequestName>(event: E, data: RequestOf<E>, timeoutMs = 10_000): Promise<ResponseOf<E>> {
    return new Promise((resolve, reject) => {
      this.socket.timeout(timeoutMs).emit(event, data, (err: Error | null, ack: Ack<ResponseOf<E>>) => {
        if (err) return reject(new SignallingError('TIMEOUT', `${event} timed out`));
        if (ack.ok) resolve(ack.data);
        else reject(new SignallingError(ack.error.code, ack.error.message, ack.error.details));
      });
    });
  }

  on<E extends ServerEventName>(event: E, fn: (data: ServerEventOf<E>) => void): () => void {
    const h = fn as (...args: unknown[]) => void;
    this.socket.on(event as string, h);
    return () => this.socket.off(event as string, h);
  }

  close(): void {
    this.socket.close();
  }
}
