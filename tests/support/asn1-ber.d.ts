// The few asn1-ber calls the hostile-agent test uses (the package ships no types).
declare module 'asn1-ber' {
  class Reader {
    constructor(buf: Buffer);
    offset: number;
    length: number;
    peek(): number | null;
    readSequence(tag?: number): number | null;
    readInt(): number;
    readString(): string;
    readOID(): string;
    readByte(): number | null;
  }
  class Writer {
    buffer: Buffer;
    startSequence(tag?: number): void;
    endSequence(): void;
    writeInt(i: number, tag?: number): void;
    writeString(s: string): void;
    writeOID(oid: string): void;
  }
  export const Ber: { Reader: typeof Reader; Writer: typeof Writer };
}
