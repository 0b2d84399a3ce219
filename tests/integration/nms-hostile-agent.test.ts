// An SNMP agent that lies: garbage datagrams, OIDs that do not increase, endless
// tables, tooBig on every GETBULK, and silence. Each ends in a clear error code
// within the request budget, and a well-behaved agent polled at the same time
// is not delayed. Encoded by hand with asn1-ber (the BER library net-snmp uses).
import { createSocket, type Socket } from 'node:dgram';
import { Ber as ber } from 'asn1-ber';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSnmpsim } from '../../nms/src/demo/demo';
import { snmprec } from '../../nms/src/demo/snmprec';
import { pollDevice } from '../../nms/src/snmp/client';
import { SnmpError } from '../../nms/src/snmp/errors';
import { freeUdpPort, tempDir, waitFor } from './nms-support';

const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const TIMETICKS = 0x43;
const GET_RESPONSE = 0xa2;
const GET_BULK = 0xa5;

interface Request {
  community: string;
  type: number;
  requestId: number;
  oids: string[];
}

function parse(buf: Buffer): Request {
  const r = new ber.Reader(buf);
  r.readSequence();
  r.readInt(); // version
  const community = r.readString();
  const type = r.peek() ?? 0;
  r.readSequence(type);
  const requestId = r.readInt();
  r.readInt();
  r.readInt();
  r.readSequence();
  const oids: string[] = [];
  const end = r.offset + r.length;
  while (r.offset < end) {
    r.readSequence();
    oids.push(r.readOID());
    r.readByte(); // NULL value
    r.readByte();
  }
  return { community, type, requestId, oids };
}

function response(req: Request, errorStatus: number, varbinds: [string, number][]): Buffer {
  const w = new ber.Writer();
  w.startSequence();
  w.writeInt(1);
  w.writeString(req.community);
  w.startSequence(GET_RESPONSE);
  w.writeInt(req.requestId);
  w.writeInt(errorStatus);
  w.writeInt(errorStatus ? 1 : 0);
  w.startSequence();
  for (const [oid, v] of varbinds) {
    w.startSequence();
    w.writeOID(oid);
    w.writeInt(v, oid === SYS_UPTIME ? TIMETICKS : 0x02);
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

/** Behaviour chosen by the community string the poller uses. */
function hostileAgent(port: number): Promise<{ sock: Socket; requests: () => number }> {
  const sock = createSocket('udp4');
  let count = 0;
  sock.on('message', (msg, rinfo) => {
    count++;
    let req: Request;
    try {
      req = parse(msg);
    } catch {
      return;
    }
    const reply = (b: Buffer) => sock.send(b, rinfo.port, rinfo.address);
    const scalars = req.oids.map((o): [string, number] => [o, o === SYS_UPTIME ? 123_456 : 1]);
    switch (req.community) {
      case 'garbage':
        return reply(Buffer.from('this is not BER at all, just bytes \x30\x82\xff\xff'));
      case 'truncated':
        return reply(response(req, 0, scalars).subarray(0, 12));
      case 'loop':
        // Row 5 first, then row 3 after it: the table walks backwards.
        if (req.type !== GET_BULK) return reply(response(req, 0, scalars));
        return reply(
          response(
            req,
            0,
            req.oids.map((o): [string, number] => {
              const base = o.split('.').slice(0, 11).join('.');
              return [o === base ? `${base}.5` : `${base}.3`, 1];
            }),
          ),
        );
      case 'endless': {
        // Always one more row: 1.3.6.1.2.1.2.2.1.<col>.<n+1>
        if (req.type !== GET_BULK) return reply(response(req, 0, scalars));
        return reply(
          response(
            req,
            0,
            req.oids.map((o) => {
              const parts = o.split('.');
              const base = parts.slice(0, 11).join('.');
              const n = parts.length > 11 ? Number(parts[11]) + 1 : 1;
              return [`${base}.${n}`, n];
            }),
          ),
        );
      }
      case 'toobig':
        return reply(response(req, req.type === GET_BULK ? 1 : 0, scalars));
      default:
        return; // silence
    }
  });
  return new Promise((resolve) => sock.bind(port, '127.0.0.1', () => resolve({ sock, requests: () => count })));
}

describe('nms against a lying SNMP agent', () => {
  let agent: Awaited<ReturnType<typeof hostileAgent>>;
  let port: number;
  let goodPort: number;
  let sim: ReturnType<typeof startSnmpsim>;

  beforeAll(async () => {
    port = await freeUdpPort();
    agent = await hostileAgent(port);
    goodPort = await freeUdpPort();
    sim = startSnmpsim(tempDir('nms-hostile-'), goodPort, {
      good: snmprec({
        sysName: 'good-r1',
        sysDescr: 'ok',
        uptimeTicks: 1000,
        interfaces: [{ ifIndex: 1, name: 'wan0', speedBps: 1e8, inOctets: 1n, outOctets: 2n }],
      }),
    });
    await waitFor('snmpsimd', () => poll(goodPort, 'good').then(() => true), 20_000, 300);
  });
  afterAll(() => {
    agent?.sock.close();
    sim?.kill('SIGTERM');
  });

  const poll = (p: number, community: string, timeoutMs = 400) =>
    pollDevice(
      { address: '127.0.0.1', port: p, credentials: { version: '2c', community }, timeoutMs, retries: 1 },
      { maxVarbinds: 40, maxInterfaces: 200, maxPdus: 30 },
    );

  const codeOf = async (community: string): Promise<{ code: string; ms: number }> => {
    const t0 = Date.now();
    try {
      await poll(port, community);
      return { code: 'NO_ERROR', ms: Date.now() - t0 };
    } catch (e) {
      expect(e).toBeInstanceOf(SnmpError);
      return { code: (e as SnmpError).code, ms: Date.now() - t0 };
    }
  };

  it.each([
    ['garbage', 'SNMP_BAD_RESPONSE'],
    ['truncated', 'SNMP_BAD_RESPONSE'],
    ['loop', 'SNMP_BAD_RESPONSE'],
    ['endless', 'SNMP_TABLE_TOO_LARGE'],
    ['toobig', 'SNMP_TOO_BIG'],
    ['silence', 'SNMP_TIMEOUT'],
  ])('%s ends in %s within the request budget', async (community, expected) => {
    const { code, ms } = await codeOf(community);
    expect(code).toBe(expected);
    expect(ms).toBeLessThan(10_000);
  });

  it('a lying agent does not delay a good one polled at the same time', async () => {
    const bad = ['garbage', 'loop', 'endless', 'toobig', 'silence'].map((c) => codeOf(c));
    const t0 = Date.now();
    const good = await poll(goodPort, 'good');
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(good.snapshot.interfaces.map((i) => i.name)).toContain('wan0');
    await Promise.all(bad);
    expect(agent.requests()).toBeGreaterThan(10);
  });
});
