import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A free TCP port on loopback (also used for UDP media ports, which are checked by mediasoup). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const tcp = createServer();
    tcp.once('error', () => resolve(false));
    tcp.listen(port, '0.0.0.0', () => {
      const udp = createSocket('udp4');
      udp.once('error', () => tcp.close(() => resolve(false)));
      udp.bind(port, '0.0.0.0', () => udp.close(() => tcp.close(() => resolve(true))));
    });
  });

/**
 * `count` consecutive ports, free for TCP and UDP, below the kernel's ephemeral range
 * (32768+): a worker replaced after a crash binds its port again, and a browser's ICE socket
 * must not have taken it meanwhile.
 */
export async function freeMediaBasePort(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await canBind(base + i);
    if (ok) return base;
  }
  throw new Error('no free media ports below 32768');
}
