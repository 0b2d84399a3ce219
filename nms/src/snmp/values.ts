// net-snmp varbind values to plain numbers, bigints and strings.
import * as snmp from 'net-snmp';

export function toBigInt(vb: snmp.Varbind | undefined): bigint | null {
  if (!vb || snmp.isVarbindError(vb)) return null;
  const v = vb.value;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'bigint') return v;
  if (Buffer.isBuffer(v)) return v.length === 0 ? 0n : BigInt(`0x${v.toString('hex')}`);
  return null;
}

export function toNumber(vb: snmp.Varbind | undefined): number | null {
  const b = toBigInt(vb);
  return b === null ? null : Number(b);
}

export function toText(vb: snmp.Varbind | undefined): string | null {
  if (!vb || snmp.isVarbindError(vb)) return null;
  const v = vb.value;
  if (Buffer.isBuffer(v)) return v.toString('utf8').replace(/\0+$/, '');
  if (v === null || v === undefined) return null;
  return String(v);
}
