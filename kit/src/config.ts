// Config loading: YAML file (optional) over embedded defaults, validated once at
// start-up. Unknown keys are rejected by name. Secrets are redacted for logging.
import { readFileSync } from 'node:fs';
import Type, { type Static, type TSchema } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { createParser } from './validation';

/** Schema pieces every service's config uses. */
export const LogLevel = Type.Union([
  Type.Literal('fatal'),
  Type.Literal('error'),
  Type.Literal('warn'),
  Type.Literal('info'),
  Type.Literal('debug'),
  Type.Literal('trace'),
  Type.Literal('silent'),
]);
export const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid config (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

export interface LoadConfigOptions<S extends TSchema> {
  schema: S;
  defaults: Static<S>;
  /** YAML file; absent means embedded defaults only. */
  file?: string | undefined;
}

export function loadConfig<S extends TSchema>(opts: LoadConfigOptions<S>): Static<S> {
  let fromFile: unknown = {};
  const source = opts.file ?? 'embedded defaults';
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw new ConfigError(source, [`cannot read file: ${(e as Error).message}`]);
    }
    try {
      fromFile = parseYaml(text) ?? {};
    } catch (e) {
      throw new ConfigError(source, [`not valid YAML: ${(e as Error).message}`]);
    }
    if (!isPlain(fromFile)) throw new ConfigError(source, ['top level must be a mapping of keys']);
  }
  const merged = merge(opts.defaults, fromFile);
  const result = createParser(opts.schema).parse(merged);
  if (!result.ok) throw new ConfigError(source, result.problems);
  return result.value;
}

/** Copy of a config with every value whose schema says `secret: true` replaced. */
export function redactConfig(schema: TSchema, value: unknown): unknown {
  const s = schema as TSchema & { secret?: boolean; properties?: Record<string, TSchema>; items?: TSchema };
  if (s.secret && value !== undefined) return '[redacted]';
  if (isPlain(value) && s.properties) {
    const out: Plain = {};
    for (const [k, v] of Object.entries(value)) {
      const sub = s.properties[k];
      out[k] = sub ? redactConfig(sub, v) : v;
    }
    return out;
  }
  if (Array.isArray(value) && s.items) return value.map((v) => redactConfig(s.items as TSchema, v));
  return value;
}

/** The production samples' placeholders (infra/production/*.yaml): a value still starting so was never set. */
export const CONFIG_PLACEHOLDER = 'REPLACE-with';

function placeholders(value: unknown, path: string): string[] {
  if (typeof value === 'string') return value.startsWith(CONFIG_PLACEHOLDER) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholders(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => placeholders(v, `${path}.${k}`));
  return [];
}

/**
 * The one line to print when a config still holds a sample's placeholder (it must not start: a token printed
 * in the repository would guard /metrics or a webhook), or null.
 */
export function placeholderProblem(config: object): string | null {
  const unset = placeholders(config, '').map((p) => p.slice(1));
  if (unset.length === 0) return null;
  return `${unset.join(', ')} still ${unset.length === 1 ? 'holds' : 'hold'} the sample's placeholder: set your own value in the config file`;
}
