import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

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

const handedOut = new Set<number>();

/**
 * A port free for TCP and UDP, from 10000-19999: below the kernel's ephemeral range (32768+), so
 * no outgoing connection (a browser, a fetch, coturn) can take it between this check and the
 * server's bind, and apart from media ranges (freeMediaBasePort). Never the same one twice per process.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 10_000);
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port in 10000-19999');
}

/**
 * `count` consecutive ports, free for TCP and UDP, below the kernel's ephemeral range
 * (32768+): a worker replaced after a crash binds its port again, and a browser's ICE socket
 * must not have taken it meanwhile.
 */
export async function freeMediaBasePort(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = !handedOut.has(base + i) && (await canBind(base + i));
    if (ok) {
      for (let i = 0; i < count; i++) handedOut.add(base + i);
      return base;
    }
  }
  throw new Error('no free media ports below 32768');
}
