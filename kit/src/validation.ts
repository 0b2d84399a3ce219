// Runtime validation at the boundaries (config, REST bodies, socket.io messages).
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface Parser<S extends TSchema> {
  readonly schema: S;
  parse(value: unknown): ParseResult<Static<S>>;
}

/** Human-readable problems: "/auth/keyFile: must be string", "/foo: unknown key". */
export function describeErrors(validator: Validator, value: unknown): string[] {
  const out = new Set<string>();
  for (const e of validator.Errors(value)) {
    if (e.keyword === 'boolean' && e.message === 'schema is false') continue; // reported below as unknown key
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const k of extra) out.add(`${e.instancePath}/${k}: unknown key`);
      continue;
    }
    out.add(`${e.instancePath || '/'}: ${e.message}`);
  }
  return [...out];
}

export function createParser<S extends TSchema>(schema: S): Parser<S> {
  const validator = Compile(schema) as unknown as Validator;
  return {
    schema,
    parse(value) {
      if (validator.Check(value)) return { ok: true, value: value as Static<S> };
      return { ok: false, problems: describeErrors(validator, value) };
    },
  };
}
