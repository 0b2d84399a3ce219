// Recent series for a link: the in-process ring buffer, or Prometheus' HTTP API when configured.
import type { Link } from '../domain/inventory';
import type { Monitor } from '../domain/monitor';
import type { LinkTimeSeries, TimeSeriesPoint } from '../protocol/health';

export type SeriesSource = (link: Link, minutes: number) => Promise<LinkTimeSeries>;

export function memorySeries(monitor: Monitor, now: () => number = Date.now): SeriesSource {
  return async (link, minutes) => ({ linkId: link.id, source: 'memory', points: monitor.linkSeries(link.id, now() - minutes * 60_000) });
}

interface PromMatrix {
  status: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
  error?: string;
}

export class PrometheusUnavailable extends Error {}

/** Link label values are our link names; PromQL string escaping keeps quotes out. */
export function prometheusSeries(baseUrl: string, now: () => number = Date.now): SeriesSource {
  const q = async (expr: string, start: number, end: number, step: number) => {
    const u = new URL('/api/v1/query_range', baseUrl);
    u.search = new URLSearchParams({ query: expr, start: String(start / 1000), end: String(end / 1000), step: `${step}s` }).toString();
    let res: Response;
    try {
      res = await fetch(u, { signal: AbortSignal.timeout(5000) });
    } catch (e) {
      throw new PrometheusUnavailable((e as Error).message);
    }
    const body = (await res.json()) as PromMatrix;
    if (body.status !== 'success' || !body.data) throw new PrometheusUnavailable(body.error ?? `HTTP ${res.status}`);
    const out = new Map<number, number>();
    for (const v of body.data.result[0]?.values ?? []) out.set(v[0], Number(v[1]));
    return out;
  };
  return async (link, minutes) => {
    const end = now();
    const start = end - minutes * 60_000;
    const step = Math.max(15, Math.round((minutes * 60) / 240));
    const sel = `link=${JSON.stringify(link.name)}`;
    const dev = JSON.stringify(link.downstream.device ?? '');
    const [inb, outb, util, rtt, loss, p50, p95, jitter] = await Promise.all([
      q(`max(rate(lienthong_interface_receive_bytes_total{${sel}}[2m])) * 8`, start, end, step),
      q(`max(rate(lienthong_interface_transmit_bytes_total{${sel}}[2m])) * 8`, start, end, step),
      q(`max(lienthong_link_utilisation_ratio{${sel}})`, start, end, step),
      q(`max(lienthong_probe_rtt_seconds{device=${JSON.stringify(link.downstream.device ?? '')}}) * 1000`, start, end, step),
      q(`max(lienthong_probe_loss_ratio{device=${JSON.stringify(link.downstream.device ?? '')}})`, start, end, step),
      q(`max(lienthong_probe_rtt_p50_seconds{device=${dev}}) * 1000`, start, end, step),
      q(`max(lienthong_probe_rtt_p95_seconds{device=${dev}}) * 1000`, start, end, step),
      q(`max(lienthong_probe_jitter_seconds{device=${dev}}) * 1000`, start, end, step),
    ]);
    const times = [...new Set([...inb.keys(), ...outb.keys(), ...util.keys()])].sort((a, b) => a - b);
    const points: TimeSeriesPoint[] = times.map((t) => ({
      t: new Date(t * 1000).toISOString(),
      inBps: inb.get(t) ?? null,
      outBps: outb.get(t) ?? null,
      utilisation: util.get(t) ?? null,
      rttMs: rtt.get(t) ?? null,
      rttP50Ms: p50.get(t) ?? null,
      rttP95Ms: p95.get(t) ?? null,
      jitterMs: jitter.get(t) ?? null,
      lossRatio: loss.get(t) ?? null,
    }));
    return { linkId: link.id, source: 'prometheus', points };
  };
}
