// Multi-column GETBULK walk: all wanted columns in one request, stopping each column at
// its end. Guards against agents that return non-increasing OIDs, stall, or never end.
import * as snmp from 'net-snmp';
import { SnmpError } from './errors';
import { isUnder, oidAfter } from './oids';

export interface WalkOptions {
  /** Upper bound on varbinds asked per response (columns x repetitions). */
  maxVarbinds: number;
  /** Rows per column before the walk stops and reports truncation. */
  maxRows: number;
  /** PDUs per walk before giving up (SNMP_TABLE_TOO_LARGE). */
  maxPdus: number;
  onPdu?: () => void;
}

export interface WalkResult {
  /** column OID -> index suffix -> value */
  columns: Map<string, Map<string, snmp.Varbind>>;
  truncated: boolean;
  varbinds: number;
}

export function getBulk(session: snmp.Session, oids: string[], rep: number): Promise<(snmp.Varbind | snmp.Varbind[])[]> {
  return new Promise((resolve, reject) => session.getBulk(oids, 0, rep, (err, vbs) => (err ? reject(err) : resolve(vbs))));
}

export function get(session: snmp.Session, oids: string[]): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => session.get(oids, (err, vbs) => (err ? reject(err) : resolve(vbs))));
}

export async function walkColumns(session: snmp.Session, columns: readonly string[], opts: WalkOptions): Promise<WalkResult> {
  const out = new Map<string, Map<string, snmp.Varbind>>(columns.map((c) => [c, new Map()]));
  const active = columns.map((base) => ({ base, last: base }));
  let truncated = false;
  let pdus = 0;
  let varbinds = 0;
  let maxVarbinds = opts.maxVarbinds;
  while (active.length > 0) {
    if (++pdus > opts.maxPdus) throw new SnmpError('SNMP_TABLE_TOO_LARGE', `walk needed more than ${opts.maxPdus} requests`);
    const rep = Math.max(1, Math.floor(maxVarbinds / active.length));
    let res: (snmp.Varbind | snmp.Varbind[])[];
    try {
      opts.onPdu?.();
      res = await getBulk(
        session,
        active.map((a) => a.last),
        rep,
      );
    } catch (e) {
      // tooBig: ask for fewer rows per request, down to one.
      if (e instanceof snmp.RequestFailedError && e.status === snmp.ErrorStatus.TooBig && maxVarbinds > active.length) {
        maxVarbinds = Math.max(active.length, Math.floor(maxVarbinds / 2));
        continue;
      }
      throw e;
    }
    let progressed = false;
    const done = new Set<number>();
    active.forEach((a, j) => {
      const list = res[j];
      const vbs = Array.isArray(list) ? list : list ? [list] : [];
      for (const vb of vbs) {
        if (snmp.isVarbindError(vb) || !isUnder(a.base, vb.oid)) {
          done.add(j);
          return;
        }
        if (!oidAfter(a.last, vb.oid))
          throw new SnmpError('SNMP_BAD_RESPONSE', `agent returned non-increasing OID ${vb.oid} after ${a.last}`);
        const col = out.get(a.base)!;
        col.set(vb.oid.slice(a.base.length + 1), vb);
        varbinds++;
        a.last = vb.oid;
        progressed = true;
        if (col.size >= opts.maxRows) {
          truncated = true;
          done.add(j);
          return;
        }
      }
    });
    for (let j = active.length - 1; j >= 0; j--) if (done.has(j)) active.splice(j, 1);
    if (!progressed && active.length > 0)
      throw new SnmpError('SNMP_BAD_RESPONSE', 'agent answered without progress (empty or truncated response)');
  }
  return { columns: out, truncated, varbinds };
}
