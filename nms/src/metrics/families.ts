// Per-device and per-interface series are most of /metrics (ten families per interface). Through
// prom-client's Gauge/Counter they were hashed, stored and formatted label by label at every scrape,
// and even as pre-rendered values prom-client's formatter was a fifth of nms's CPU under polling
// load. Here each label set is rendered to text once, and a scrape writes the lines itself.
import type { Exposition } from '@lienthong/kit';
import type { Registry } from 'prom-client';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const CHUNK_CHARS = 65_536;
const formatValue = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/**
 * `{a="x",b="y"}` per distinct label values, rendered once. Sets not used for a whole scrape are
 * dropped at the next one (`rotate`), so removed devices and interfaces do not accumulate.
 */
export class LabelSets {
  private cur = new Map<string, string>();
  private prev = new Map<string, string>();

  constructor(private readonly names: readonly string[]) {}

  rotate(): void {
    this.prev = this.cur;
    this.cur = new Map();
  }

  render(values: readonly string[]): string {
    const key = values.join('\u0000');
    let s = this.cur.get(key);
    if (s !== undefined) return s;
    s = this.prev.get(key) ?? `{${this.names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`).join(',')}}`;
    this.cur.set(key, s);
    return s;
  }
}

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  fill: (emit: (labels: string, value: number) => void) => void;
}

/** Families read from the live state at each scrape and written as Prometheus text (format 0.0.4). */
export class TextFamilies {
  private readonly families: Family[] = [];

  add(name: string, help: string, type: Family['type'], fill: Family['fill']): void {
    this.families.push({ name, help, type, fill });
  }

  /**
   * The text as UTF-8 bytes, built in chunks of about 64 KiB: one string of every line (tens of MB for
   * thousands of devices, two bytes a character once any text is not Latin-1) cost three times as much.
   */
  render(): Buffer {
    const chunks: Buffer[] = [];
    let cur = '';
    for (const f of this.families) {
      cur += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
      f.fill((labels, value) => {
        cur += `${f.name}${labels} ${formatValue(value)}\n`;
        if (cur.length >= CHUNK_CHARS) {
          chunks.push(Buffer.from(cur));
          cur = '';
        }
      });
    }
    chunks.push(Buffer.from(cur));
    return Buffer.concat(chunks);
  }
}

/** What /metrics serves: prom-client's registry, then the text families. */
export function exposition(registry: Registry, families: TextFamilies): Exposition {
  return {
    contentType: registry.contentType,
    metrics: async () => Buffer.concat([Buffer.from(`${await registry.metrics()}\n`), families.render()]),
  };
}
