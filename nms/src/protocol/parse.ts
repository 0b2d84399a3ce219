// Runtime checks of inventory bodies and files. SNMP credentials are a union (v2c | v3): a
// plain union check reports the complaints of both variants, which hides the real one
// ("authKey too short" behind "community missing"). Here they are judged by the version named.
import { createParser, type ParseResult, type Parser } from '@lienthong/kit';
import type { Static, TSchema } from 'typebox';
import { SnmpV2cCredentials, SnmpV3Credentials } from './inventory';

const byVersion: Record<string, Parser<TSchema>> = { '2c': createParser(SnmpV2cCredentials), '3': createParser(SnmpV3Credentials) };

function credentialsIn(body: unknown): [string, unknown][] {
  if (!body || typeof body !== 'object') return [];
  const out: [string, unknown][] = [];
  const b = body as { snmp?: unknown; devices?: unknown };
  if (b.snmp !== undefined) out.push(['/snmp', b.snmp]);
  if (Array.isArray(b.devices))
    b.devices.forEach((d, i) => {
      if (d && typeof d === 'object' && (d as { snmp?: unknown }).snmp !== undefined)
        out.push([`/devices/${i}/snmp`, (d as { snmp: unknown }).snmp]);
    });
  return out;
}

export function inventoryParser<S extends TSchema>(schema: S): Parser<S> {
  const plain = createParser(schema);
  return {
    schema,
    parse(value): ParseResult<Static<S>> {
      const r = plain.parse(value);
      if (r.ok) return r;
      let problems = r.problems;
      for (const [at, snmp] of credentialsIn(value)) {
        const version = snmp && typeof snmp === 'object' ? (snmp as { version?: unknown }).version : undefined;
        const parser = typeof version === 'string' ? byVersion[version] : undefined;
        let own: string[];
        if (!parser) own = [`${at}/version: must be "2c" or "3"`];
        else {
          const c = parser.parse(snmp);
          own = c.ok ? [] : c.problems.map((q) => (q.startsWith('/: ') ? `${at}: ${q.slice(3)}` : `${at}${q}`));
        }
        problems = [...own, ...problems.filter((q) => !q.startsWith(`${at}/`) && !q.startsWith(`${at}:`))];
      }
      return { ok: false, problems: problems.length > 0 ? problems : r.problems };
    },
  };
}
