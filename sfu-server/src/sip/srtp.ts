// SRTP for a room call's line keyed by SDES (RFC 4568, AES_CM_128_HMAC_SHA1_80): werift-rtp does the
// cryptography; our key protects what we send, the room's unprotects what it sends.
import { randomBytes } from 'node:crypto';
import { ProtectionProfileAes128CmHmacSha1_80, RtpPacket, SrtpSession } from 'werift-rtp';

/** A fresh master key and salt (30 bytes), base64, for our side of a line. */
export const newSrtpKey = (): string => randomBytes(30).toString('base64');

export class SrtpLine {
  private readonly session: SrtpSession;
  /** Packets that failed authentication (or were malformed): dropped. */
  rejected = 0;

  constructor(localKeyBase64: string, remoteKeyBase64: string) {
    const local = Buffer.from(localKeyBase64, 'base64');
    const remote = Buffer.from(remoteKeyBase64, 'base64');
    this.session = new SrtpSession({
      keys: {
        localMasterKey: local.subarray(0, 16),
        localMasterSalt: local.subarray(16, 30),
        remoteMasterKey: remote.subarray(0, 16),
        remoteMasterSalt: remote.subarray(16, 30),
      },
      profile: ProtectionProfileAes128CmHmacSha1_80,
    });
  }

  protect(rtp: Buffer): Buffer {
    const p = RtpPacket.deSerialize(rtp);
    return this.session.encrypt(p.payload, p.header);
  }

  /** The plain RTP of an SRTP packet from the room; null when it does not authenticate. */
  unprotect(srtp: Buffer): Buffer | null {
    try {
      return this.session.decrypt(srtp);
    } catch {
      this.rejected++;
      return null;
    }
  }
}
