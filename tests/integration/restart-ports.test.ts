// Issue 11: a start while the media ports are still held (a previous sfu-server's workers letting go,
// or another program) waits for them, and says which port it waits for; if they stay taken, it exits
// with one line naming the port instead of a mediasoup stack trace.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeMediaBasePort, freePort } from '../support/ports';
import { startSfuServer } from '../support/sfu-process';

/** Binds UDP and TCP `port` on loopback (where startSfuServer's workers listen) until released. */
async function holdPort(port: number): Promise<() => Promise<void>> {
  const udp = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, '127.0.0.1', resolve);
  });
  const tcp = createServer();
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', resolve);
  });
  return async () => {
    await new Promise<void>((r) => udp.close(() => r()));
    await new Promise<void>((r) => tcp.close(() => r()));
  };
}

describe('sfu-server start with its media ports taken', () => {
  it('waits for a port held for a few seconds, then starts', async () => {
    const basePort = await freeMediaBasePort(1);
    const release = await holdPort(basePort);
    const waiting = new RegExp(`UDP port ${basePort} \\(worker 0\\) is in use; waiting`);
    // Released 2 s after sfu-server says it waits (not at a fixed time: a slow start would reach the port later).
    let released: Promise<void> | undefined;
    let waitSeenAt = 0;
    const onOutput = (text: string) => {
      if (released || !waiting.test(text)) return;
      waitSeenAt = Date.now();
      released = new Promise<void>((r) => setTimeout(() => void release().then(r), 2000));
    };
    try {
      const sfu = await startSfuServer({ basePort, onOutput });
      try {
        expect(waitSeenAt).toBeGreaterThan(0);
        expect(Date.now() - waitSeenAt).toBeGreaterThanOrEqual(2000);
        expect((await fetch(`${sfu.url}/healthz`)).ok).toBe(true);
        expect(sfu.output()).toMatch(new RegExp(`UDP port ${basePort} \\(worker 0\\) is in use; waiting`));
        expect(sfu.output()).not.toContain('uv_udp_bind');
      } finally {
        await sfu.stop();
      }
    } finally {
      await (released ?? release());
    }
  });

  it('exits with one line naming the port when it stays taken', async () => {
    const basePort = await freeMediaBasePort(1);
    const release = await holdPort(basePort);
    try {
      const failure = await startSfuServer({ basePort }).then(
        () => new Error('sfu-server started although its port is taken'),
        (e: Error) => e,
      );
      const text = failure.message;
      expect(text).toMatch(/exited early \(code 1\)/);
      const line = text.split('\n').find((l) => l.startsWith('sfu-server: cannot start:'));
      expect(line).toContain(`UDP port ${basePort}`);
      expect(line).toContain(`ss -lunp 'sport = :${basePort}'`);
      expect(line).toContain('media.basePort');
      expect(text).not.toContain('uv_udp_bind');
      expect(text).not.toMatch(/^\s+at /m);
    } finally {
      await release();
    }
  });

  it('exits with one line when its HTTP port is taken', async () => {
    const httpPort = await freePort();
    // Hangs up at once: startSfuServer's health polls reach this holder, not the server.
    const holder = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => holder.listen(httpPort, '0.0.0.0', r));
    try {
      const failure = await startSfuServer({ httpPort }).then(
        () => new Error('sfu-server started although its HTTP port is taken'),
        (e: Error) => e,
      );
      expect(failure.message).toMatch(/exited early \(code 1\)/);
      expect(failure.message).toContain(`sfu-server: cannot start: HTTP port ${httpPort} (0.0.0.0) is in use.`);
      expect(failure.message).toContain(`ss -ltnp 'sport = :${httpPort}'`);
      expect(failure.message).not.toContain('EADDRINUSE');
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });

  it('starts at once on the ports of a server that is stopping (restart)', async () => {
    const basePort = await freeMediaBasePort(2);
    const first = await startSfuServer({ workers: 2, basePort });
    const firstExit = new Promise<number | null>((r) => first.child.once('exit', (code) => r(code)));
    first.child.kill('SIGTERM');
    const second = await startSfuServer({ workers: 2, basePort });
    try {
      expect(await firstExit).toBe(0);
      const health = await fetch(`${second.url}/healthz`);
      expect(health.ok).toBe(true);
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
