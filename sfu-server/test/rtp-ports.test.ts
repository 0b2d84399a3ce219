// Room systems' media sockets are bound inside sip.rtpPorts, the range the firewall opens.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { bindUdp } from '../src/sip/rtp-ports';

const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function free(n: number): Promise<number> {
  // n consecutive free ports below the ephemeral range (none of them is held by anything else here).
  for (let base = 28_000 + Math.floor(Math.random() * 1000); ; base += n) {
    const held: Socket[] = [];
    let ok = true;
    for (let p = base; p < base + n && ok; p++) {
      const s = createSocket('udp4');
      ok = await new Promise<boolean>((r) => {
        s.once('error', () => r(false));
        s.bind(p, '127.0.0.1', () => r(true));
      });
      if (ok) held.push(s);
      else s.close();
    }
    for (const s of held) s.close();
    if (ok) return base;
  }
}

describe('binding in the configured range', () => {
  it('binds every socket inside the range until it is full, then says which range is full', async () => {
    const min = await free(3);
    const range = { min, max: min + 2 };
    for (let i = 0; i < 3; i++) open.push(await bindUdp('127.0.0.1', range));
    expect(open.map((s) => s.address().port).sort()).toEqual([min, min + 1, min + 2]);
    await expect(bindUdp('127.0.0.1', range)).rejects.toThrow(`Every port of ${min}-${min + 2} (sip.rtpPorts) is in use on 127.0.0.1`);
  });

  it('skips a port another program holds', async () => {
    const min = await free(2);
    const other = createSocket('udp4');
    await new Promise<void>((r) => other.bind(min, '127.0.0.1', r));
    open.push(other);
    for (let i = 0; i < 5; i++) {
      const s = await bindUdp('127.0.0.1', { min, max: min + 1 });
      expect(s.address().port).toBe(min + 1);
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('takes any free port without a range', async () => {
    const s = await bindUdp('127.0.0.1', undefined);
    open.push(s);
    expect(s.address().port).toBeGreaterThan(0);
  });
});
