// Password guessing against the real sfu-server: concurrent guesses, floods, locking the chair
// out, and addresses forged in headers. Each 127.x address is a different PC to the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SfuProcess, startSfuServer } from '../support/sfu-process';
import { codeOf, count, http, loginFrom } from './support';

let sfu: SfuProcess;
beforeAll(async () => {
  sfu = await startSfuServer();
});
afterAll(async () => {
  await sfu?.stop();
});

describe('password guessing', () => {
  it('checks no more concurrent guesses than the lock-out allows; the right password sent last is refused', async () => {
    const guesses = Array.from({ length: 60 }, (_, i) =>
      loginFrom(sfu.url, '127.0.10.1', 'daibieu.sc', i === 59 ? 'lienthong123' : `wrong-${i}`),
    );
    const codes = (await Promise.all(guesses)).map(codeOf);
    const tally = count(codes);
    expect(tally.INVALID_CREDENTIALS ?? 0).toBeLessThanOrEqual(5);
    expect(codes[59]).not.toBe('OK');
    expect((tally.LOGIN_LOCKED ?? 0) + (tally.RATE_LIMITED ?? 0)).toBeGreaterThanOrEqual(55);
  });

  it('does not let five bad passwords from one PC lock the chair out of the meeting', async () => {
    for (let i = 0; i < 5; i++)
      expect(codeOf(await loginFrom(sfu.url, '127.0.11.1', 'chutri.tinh', `guess-${i}`))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await loginFrom(sfu.url, '127.0.11.1', 'chutri.tinh', 'lienthong123'))).toBe('LOGIN_LOCKED');
    // The chair, at the province's own PC, still logs in.
    expect(codeOf(await loginFrom(sfu.url, '127.0.11.2', 'chutri.tinh', 'lienthong123'))).toBe('OK');
  });

  it('rate-limits one address across usernames and ignores forwarded-for headers', async () => {
    const replies = [];
    for (let i = 0; i < 34; i++) {
      replies.push(
        await loginFrom(sfu.url, '127.0.12.1', `nobody-${i}`, 'whatever-password', {
          'x-forwarded-for': `10.9.${i}.1`,
          'x-real-ip': `10.9.${i}.2`,
        }),
      );
    }
    const codes = replies.map(codeOf);
    expect(codes.slice(0, 30).every((c) => c === 'INVALID_CREDENTIALS')).toBe(true);
    expect(codes.slice(30).every((c) => c === 'RATE_LIMITED')).toBe(true);
    const limited = replies[33]!;
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('keeps the server responsive for everyone else during a login flood from many addresses', async () => {
    // 120 logins at once from 60 addresses, all needing a password check (known usernames, wrong passwords).
    const users = ['daibieu.tptn', 'daibieu.py', 'daibieu.dh', 'daibieu.dt', 'daibieu.pl'];
    const flood = Array.from({ length: 120 }, (_, i) =>
      loginFrom(sfu.url, `127.0.${20 + (i % 60)}.${1 + Math.floor(i / 60)}`, users[i % users.length]!, `flood-${i}`),
    );
    await new Promise((r) => setTimeout(r, 100));
    const pages = [];
    for (let i = 0; i < 5; i++) {
      pages.push(await http(`${sfu.url}/`, { from: '127.0.13.1' }));
      pages.push(await http(`${sfu.url}/api/sites/directory`, { from: '127.0.13.1' }));
    }
    const floodCodes = count((await Promise.all(flood)).map(codeOf));
    expect(floodCodes.OK ?? 0).toBe(0);
    expect(floodCodes.SERVER_BUSY ?? 0).toBeGreaterThan(0); // hashing is bounded: the excess is refused, not queued forever
    for (const p of pages) expect(p.status).toBe(200);
    expect(Math.max(...pages.map((p) => p.ms))).toBeLessThan(1000);
    // The flood did not lock the accounts everywhere: their owners still log in.
    expect(codeOf(await loginFrom(sfu.url, '127.0.14.1', 'daibieu.dt', 'lienthong123'))).toBe('OK');
  });
});
