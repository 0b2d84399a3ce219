// The little RTCP a room call needs to read and write: does a compound packet ask for a keyframe
// (PLI, RFC 4585; FIR, RFC 5104), and a minimal compound (empty RR + PLI) that asks for one.

const PSFB = 206;
const RR = 201;
const PLI = 1;
const FIR = 4;

/** True when some packet of this compound RTCP is a PLI or FIR (for any media source). */
export function asksKeyFrame(buf: Buffer): boolean {
  let off = 0;
  while (off + 4 <= buf.length) {
    const first = buf[off]!;
    if (first >> 6 !== 2) return false;
    const type = buf[off + 1]!;
    if (type === PSFB && ((first & 0x1f) === PLI || (first & 0x1f) === FIR)) return true;
    off += (buf.readUInt16BE(off + 2) + 1) * 4;
  }
  return false;
}

/** Looks like RTCP (version 2, packet type 192..223), not RTP. */
export function isRtcp(buf: Buffer): boolean {
  return buf.length >= 8 && buf[0]! >> 6 === 2 && buf[1]! >= 192 && buf[1]! <= 223;
}

/** An empty receiver report from `sender`, then a PLI for `media` when given. */
export function receiverReport(sender: number, media?: number): Buffer {
  const b = Buffer.alloc(media === undefined ? 8 : 20);
  b.writeUInt8(0x80, 0);
  b.writeUInt8(RR, 1);
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(sender >>> 0, 4);
  if (media !== undefined) {
    b.writeUInt8(0x80 | PLI, 8);
    b.writeUInt8(PSFB, 9);
    b.writeUInt16BE(2, 10);
    b.writeUInt32BE(sender >>> 0, 12);
    b.writeUInt32BE(media >>> 0, 16);
  }
  return b;
}
