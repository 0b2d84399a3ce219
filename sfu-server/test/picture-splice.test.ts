import { describe, expect, it } from 'vitest';
import { canPassThrough } from '../src/domain/room-systems/picture';
import { RtpSplice, startsKeyFrame } from '../src/sip/rtp-splice';

/** An H.264 RTP packet: `nal` is the first payload byte(s) after the 12-byte header. */
function rtp(o: { seq: number; ts: number; ssrc: number; pt?: number; marker?: boolean; payload: number[] }): Buffer {
  const b = Buffer.alloc(12 + o.payload.length);
  b[0] = 0x80;
  b[1] = (o.marker ? 0x80 : 0) | (o.pt ?? 96);
  b.writeUInt16BE(o.seq & 0xffff, 2);
  b.writeUInt32BE(o.ts >>> 0, 4);
  b.writeUInt32BE(o.ssrc, 8);
  Buffer.from(o.payload).copy(b, 12);
  return b;
}
const SPS = [0x67, 0x42, 0xe0, 0x1f];
const IDR = [0x65, 0x88];
const P_SLICE = [0x41, 0x9a];
const FU_IDR_START = [0x7c, 0x85, 0x88];
const FU_IDR_MIDDLE = [0x7c, 0x05, 0x88];
const STAP_SPS_PPS = [0x78, 0x00, 0x04, ...SPS, 0x00, 0x02, 0x68, 0xce];

describe('H.264 keyframe starts in RTP (RFC 6184)', () => {
  it('finds SPS, IDR, an FU-A IDR start and a STAP-A with SPS; not a P slice or an FU-A middle', () => {
    const at = (payload: number[]) => startsKeyFrame(rtp({ seq: 1, ts: 1, ssrc: 1, payload }));
    expect(at(SPS)).toBe(true);
    expect(at(IDR)).toBe(true);
    expect(at(FU_IDR_START)).toBe(true);
    expect(at(STAP_SPS_PPS)).toBe(true);
    expect(at(P_SLICE)).toBe(false);
    expect(at(FU_IDR_MIDDLE)).toBe(false);
    expect(startsKeyFrame(Buffer.from([0x80, 0x60]))).toBe(false);
  });
});

describe('one stream to the room from the encoder and a passed-through room', () => {
  const out = { ssrc: 0xabcdef01, payloadType: 97 };
  const read = (p: Buffer | null) =>
    p ? { seq: p.readUInt16BE(2), ts: p.readUInt32BE(4), ssrc: p.readUInt32BE(8), pt: p[1]! & 0x7f, marker: (p[1]! & 0x80) !== 0 } : null;

  it("keeps the encoder's own numbering, with the room's SSRC and payload type, marker kept", () => {
    const s = new RtpSplice(out);
    expect(read(s.packet('encoded', rtp({ seq: 500, ts: 9000, ssrc: 7, marker: true, payload: SPS }), 0))).toEqual({
      seq: 500,
      ts: 9000,
      ssrc: out.ssrc,
      pt: 97,
      marker: true,
    });
  });

  it('switches only at a keyframe of the wanted source; sequence and time go on without a gap', () => {
    const s = new RtpSplice(out);
    s.packet('encoded', rtp({ seq: 100, ts: 1000, ssrc: 7, payload: SPS }), 0);
    s.packet('encoded', rtp({ seq: 101, ts: 4600, ssrc: 7, payload: P_SLICE }), 40);
    // Not wanted yet: the other room's packets are dropped.
    expect(s.packet('pass', rtp({ seq: 60000, ts: 77, ssrc: 9, payload: SPS }), 45)).toBeNull();
    s.want('pass');
    expect(s.pending).toBe('pass');
    // Wanted, but not a keyframe start: dropped, and the encoder goes on meanwhile.
    expect(s.packet('pass', rtp({ seq: 60001, ts: 3677, ssrc: 9, payload: P_SLICE }), 50)).toBeNull();
    expect(read(s.packet('encoded', rtp({ seq: 102, ts: 8200, ssrc: 7, payload: P_SLICE }), 80))!.seq).toBe(102);
    const first = read(s.packet('pass', rtp({ seq: 60002, ts: 7277, ssrc: 9, payload: FU_IDR_START }), 100));
    expect(s.current).toBe('pass');
    expect(s.switches).toBe(1);
    expect(first).toMatchObject({ seq: 103, ts: 8200 + 20 * 90, ssrc: out.ssrc, pt: 97 });
    const next = read(s.packet('pass', rtp({ seq: 60003, ts: 7277 + 3600, ssrc: 9, payload: P_SLICE }), 140));
    expect(next).toMatchObject({ seq: 104, ts: 8200 + 1800 + 3600 });
    // The encoder is not sent any more, and its reports are not ours to give while passing through.
    expect(s.packet('encoded', rtp({ seq: 103, ts: 11800, ssrc: 7, payload: P_SLICE }), 150)).toBeNull();
    expect(s.senderReport(Buffer.alloc(28, 0).fill(0x80, 0, 1).fill(200, 1, 2))).toBeNull();
  });

  it('wraps sequence numbers and timestamps', () => {
    const s = new RtpSplice(out);
    s.packet('encoded', rtp({ seq: 0xfffe, ts: 0xffffff00, ssrc: 7, payload: SPS }), 0);
    s.want('pass');
    const p = read(s.packet('pass', rtp({ seq: 5, ts: 10, ssrc: 9, payload: IDR }), 10));
    expect(p).toMatchObject({ seq: 0xffff, ts: (0xffffff00 + 900) >>> 0 });
    expect(read(s.packet('pass', rtp({ seq: 6, ts: 3610, ssrc: 9, payload: P_SLICE }), 50))).toMatchObject({
      seq: 0,
      ts: (0xffffff00 + 900 + 3600) >>> 0,
    });
  });

  it("another room's stream on the same source waits for its keyframe; a restarted encoder is followed", () => {
    const s = new RtpSplice(out);
    s.packet('encoded', rtp({ seq: 10, ts: 100, ssrc: 7, payload: SPS }), 0);
    s.want('pass');
    s.packet('pass', rtp({ seq: 1, ts: 1, ssrc: 9, payload: SPS }), 10);
    expect(s.packet('pass', rtp({ seq: 900, ts: 50, ssrc: 12, payload: P_SLICE }), 20)).toBeNull();
    expect(read(s.packet('pass', rtp({ seq: 901, ts: 3650, ssrc: 12, payload: SPS }), 60))!.seq).toBe(12);
    s.want('encoded');
    s.packet('encoded', rtp({ seq: 11, ts: 3700, ssrc: 7, payload: SPS }), 80);
    expect(s.current).toBe('encoded');
    // The encoder's pipeline started again numbers anew: followed, no gap for the room.
    expect(read(s.packet('encoded', rtp({ seq: 40000, ts: 5, ssrc: 7, payload: SPS }), 120))!.seq).toBe(14);
  });

  it("rewrites the encoder's sender report to the room's SSRC and moved RTP time", () => {
    const s = new RtpSplice(out);
    s.packet('encoded', rtp({ seq: 10, ts: 1000, ssrc: 7, payload: SPS }), 0);
    s.want('pass');
    s.packet('pass', rtp({ seq: 1, ts: 50, ssrc: 9, payload: SPS }), 20);
    s.want('encoded');
    s.packet('encoded', rtp({ seq: 12, ts: 2000, ssrc: 7, payload: SPS }), 40);
    const sr = Buffer.alloc(28);
    sr[0] = 0x80;
    sr[1] = 200;
    sr.writeUInt16BE(6, 2);
    sr.writeUInt32BE(7, 4);
    sr.writeUInt32BE(2000, 16);
    const got = s.senderReport(sr)!;
    expect(got.readUInt32BE(4)).toBe(out.ssrc);
    // 1000 + 20 ms (to the passed keyframe) + 20 ms (back): where the encoder's 2000 was sent.
    expect(got.readUInt32BE(16)).toBe(1000 + 1800 + 1800);
  });
});

describe('which H.264 a room takes as it is', () => {
  const room = { profileLevelId: '42e01f', packetizationMode: 1 as const };
  it('Constrained Baseline at a level the room takes, in a packetization it reads', () => {
    expect(canPassThrough({ profileLevelId: '42e01f', packetizationMode: 1 }, room)).toBe(true);
    expect(canPassThrough({ profileLevelId: '42C01E', packetizationMode: 0 }, room)).toBe(true);
    // Level 4.0 is over the room's 3.1.
    expect(canPassThrough({ profileLevelId: '42e028', packetizationMode: 1 }, room)).toBe(false);
    // FU-A to a room that reads single NAL units only.
    expect(canPassThrough({ profileLevelId: '42e01f', packetizationMode: 1 }, { ...room, packetizationMode: 0 })).toBe(false);
    // Baseline without constraint_set1 (may use FMO/ASO) to a Constrained Baseline room; High profile.
    expect(canPassThrough({ profileLevelId: '42001f', packetizationMode: 1 }, room)).toBe(false);
    expect(canPassThrough({ profileLevelId: '64001f', packetizationMode: 1 }, room)).toBe(false);
    // The very profile the room offered is fine.
    expect(canPassThrough({ profileLevelId: '42001e', packetizationMode: 1 }, { profileLevelId: '42001f', packetizationMode: 1 })).toBe(
      true,
    );
    expect(canPassThrough({ profileLevelId: 'zz', packetizationMode: 1 }, room)).toBe(false);
  });
});
