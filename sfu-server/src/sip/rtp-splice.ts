// One H.264 RTP stream toward a room system, made of two sources: our encoder (the main picture
// decoded and re-encoded) and another room's H.264 passed through untouched. The room sees one
// SSRC, one payload type, and sequence numbers and timestamps that go on across a switch. A
// switch waits for the first packet of a keyframe of the new source, so the room's decoder never
// gets a picture it cannot decode; until then the old source goes on.

export type PictureSource = 'encoded' | 'pass';

/** An H.264 RTP packet (RFC 6184) that begins a keyframe: SPS, or the start of an IDR slice. */
export function startsKeyFrame(p: Buffer): boolean {
  if (p.length < 13 || p[0]! >> 6 !== 2) return false;
  let off = 12 + (p[0]! & 0x0f) * 4;
  if (p[0]! & 0x10) {
    if (off + 4 > p.length) return false;
    off += 4 + p.readUInt16BE(off + 2) * 4;
  }
  if (off >= p.length) return false;
  const type = p[off]! & 0x1f;
  if (type === 5 || type === 7) return true;
  // FU-A: its start bit and the type inside.
  if (type === 28) return off + 1 < p.length && (p[off + 1]! & 0x80) !== 0 && (p[off + 1]! & 0x1f) === 5;
  if (type !== 24) return false;
  // STAP-A: aggregated units, each after its 16-bit size.
  for (let i = off + 1; i + 2 < p.length; i += 2 + p.readUInt16BE(i)) {
    const inner = p[i + 2]! & 0x1f;
    if (inner === 5 || inner === 7) return true;
  }
  return false;
}

/** A jump of the incoming sequence numbers larger than this is a stream started anew, not loss. */
const MAX_SEQ_JUMP = 1000;

export class RtpSplice {
  private currentSource: PictureSource = 'encoded';
  private wanted: PictureSource = 'encoded';
  private started = false;
  private seqOffset = 0;
  private tsOffset = 0;
  private lastSeq = 0;
  private lastTs = 0;
  private lastAt = 0;
  /** The incoming stream now sent: its SSRC and last sequence number. */
  private inSsrc = 0;
  private inLastSeq = 0;
  /** Switches made, for the call's stats. */
  switches = 0;

  constructor(private readonly out: { ssrc: number; payloadType: number }) {}

  get current(): PictureSource {
    return this.currentSource;
  }

  get pending(): PictureSource | null {
    return this.wanted === this.currentSource ? null : this.wanted;
  }

  /** From the next keyframe of `source` on, the room is sent that one. */
  want(source: PictureSource): void {
    this.wanted = source;
  }

  /**
   * A packet of `source`, rewritten for the room (in place), or null to drop it: it is not the
   * source sent now and no keyframe of the wanted one starts with it.
   */
  packet(source: PictureSource, p: Buffer, nowMs: number): Buffer | null {
    if (p.length < 12 || p[0]! >> 6 !== 2) return null;
    const seq = p.readUInt16BE(2);
    const ts = p.readUInt32BE(4);
    const ssrc = p.readUInt32BE(8);
    if (source !== this.currentSource) {
      if (source !== this.wanted || !startsKeyFrame(p)) return null;
      this.currentSource = source;
      this.switches++;
      this.rebase(seq, ts, ssrc, nowMs);
    } else if (!this.started) this.rebase(seq, ts, ssrc, nowMs);
    else if (ssrc !== this.inSsrc) {
      // The same source with another stream (another room's picture passed through): from its keyframe.
      if (!startsKeyFrame(p)) return null;
      this.rebase(seq, ts, ssrc, nowMs);
    } else if (Math.abs(((seq - this.inLastSeq + 0x8000) & 0xffff) - 0x8000) > MAX_SEQ_JUMP) {
      // The same stream started again (a restarted encoder numbers anew).
      this.rebase(seq, ts, ssrc, nowMs);
    }
    this.inLastSeq = seq;
    const outSeq = (seq + this.seqOffset) & 0xffff;
    const outTs = (ts + this.tsOffset) >>> 0;
    p[1] = (p[1]! & 0x80) | (this.out.payloadType & 0x7f);
    p.writeUInt16BE(outSeq, 2);
    p.writeUInt32BE(outTs, 4);
    p.writeUInt32BE(this.out.ssrc >>> 0, 8);
    // A late packet of the same source must not move the clock back.
    if (!this.started || ((outSeq - this.lastSeq) & 0xffff) < 0x8000) {
      this.lastSeq = outSeq;
      this.lastTs = outTs;
      this.lastAt = nowMs;
    }
    this.started = true;
    return p;
  }

  /** Offsets that make this source's packet follow the last one sent, at the time that has passed. */
  private rebase(seq: number, ts: number, ssrc: number, nowMs: number): void {
    this.inSsrc = ssrc;
    if (!this.started) {
      this.seqOffset = 0;
      this.tsOffset = 0;
      return;
    }
    const gap = Math.max(1, Math.round((nowMs - this.lastAt) * 90));
    this.seqOffset = (this.lastSeq + 1 - seq) & 0xffff;
    this.tsOffset = (this.lastTs + gap - ts) >>> 0;
  }

  /**
   * The encoder's RTCP (its sender report first), its RTP time moved as its packets are; null while
   * another room's stream is sent (its reports are not ours to give).
   */
  senderReport(p: Buffer): Buffer | null {
    if (this.currentSource !== 'encoded') return null;
    if (p.length >= 20 && p[1] === 200) {
      p.writeUInt32BE(this.out.ssrc >>> 0, 4);
      p.writeUInt32BE((p.readUInt32BE(16) + this.tsOffset) >>> 0, 16);
    }
    return p;
  }
}
