// Per-device and per-interface series are most of /metrics (ten families per interface). Set
// through prom-client's Gauge/Counter they were hashed, stored and formatted label by label at
// every scrape; here each label set is rendered to text once and a scrape only writes values.
import type { Metric, Registry } from 'prom-client';

export interface Line {
  /** The metric name with its rendered `{...}` labels; prom-client's formatter prints it as is. */
  metricName: string;
  value: number;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

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

/** A family prom-client's Registry can expose (it calls get() at each scrape). */
export function registerFamily(
  registry: Registry,
  name: string,
  help: string,
  type: 'gauge' | 'counter',
  fill: (emit: (labels: string, value: number) => void) => void,
): void {
  const family = {
    name,
    help,
    type,
    aggregator: 'sum',
    get() {
      const values: Line[] = [];
      fill((labels, value) => values.push({ metricName: name + labels, value }));
      return { name, help, type, aggregator: 'sum', values };
    },
    reset() {
      // values are read from the live state at each scrape: nothing kept
    },
  };
  registry.registerMetric(family as unknown as Metric);
}
