// Link time series → uPlot columns, and the chart options for the link detail page.

import type { LinkTimeSeries } from '@lienthong/nms/protocol';
import uPlot from 'uplot';
import { fmtBps, TZ } from './nms';

export const COLORS = {
  in: '#1f77b4',
  out: '#ff7f0e',
  rtt: '#2ca02c',
  p50: '#17becf',
  p95: '#9467bd',
  jitter: '#8c564b',
  loss: '#d62728',
} as const;

export interface Columns {
  x: number[];
  inBps: (number | null)[];
  outBps: (number | null)[];
  rttMs: (number | null)[];
  p50Ms: (number | null)[];
  p95Ms: (number | null)[];
  jitterMs: (number | null)[];
  lossPct: (number | null)[];
}

/** Sorted by time; samples written in the same second (poll and probe) merged into one point. */
export function toColumns(points: LinkTimeSeries['points']): Columns {
  const c: Columns = { x: [], inBps: [], outBps: [], rttMs: [], p50Ms: [], p95Ms: [], jitterMs: [], lossPct: [] };
  const sorted = [...points].sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
  for (const p of sorted) {
    const x = Math.floor(Date.parse(p.t) / 1000);
    const loss = p.lossRatio === null ? null : p.lossRatio * 100;
    const last = c.x.length - 1;
    if (last >= 0 && c.x[last] === x) {
      c.inBps[last] = p.inBps ?? c.inBps[last] ?? null;
      c.outBps[last] = p.outBps ?? c.outBps[last] ?? null;
      c.rttMs[last] = p.rttMs ?? c.rttMs[last] ?? null;
      c.p50Ms[last] = p.rttP50Ms ?? c.p50Ms[last] ?? null;
      c.p95Ms[last] = p.rttP95Ms ?? c.p95Ms[last] ?? null;
      c.jitterMs[last] = p.jitterMs ?? c.jitterMs[last] ?? null;
      c.lossPct[last] = loss ?? c.lossPct[last] ?? null;
      continue;
    }
    c.x.push(x);
    c.inBps.push(p.inBps);
    c.outBps.push(p.outBps);
    c.rttMs.push(p.rttMs);
    c.p50Ms.push(p.rttP50Ms);
    c.p95Ms.push(p.rttP95Ms);
    c.jitterMs.push(p.jitterMs);
    c.lossPct.push(loss);
  }
  return c;
}

const clock = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false });
const hhmm = (ts: number) => clock.format(new Date(ts * 1000));
const tzDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), TZ);
const fromZero = (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1];

function base(scales: uPlot.Scales, series: uPlot.Series[], axes: uPlot.Axis[]): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    tzDate,
    scales: { x: { time: true }, ...scales },
    // Poll samples (rates) and probe samples (RTT, loss) interleave in time, so each line spans
    // the other kind's timestamps where its own value is null.
    series: [{}, ...series.map((s) => ({ spanGaps: true, ...s }))],
    // 24-hour clock in the province's zone; windows are at most a few hours, so no dates.
    axes: [{ values: (_u, splits) => splits.map(hhmm), space: 60 }, ...axes],
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  };
}

const stamp = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** The time column's legend label (locale) and value (24-hour, province zone). */
export function withTime(o: Omit<uPlot.Options, 'width' | 'height'>, label: string): Omit<uPlot.Options, 'width' | 'height'> {
  const [, ...rest] = o.series;
  return { ...o, series: [{ label, value: (_u, v) => (v === null ? '–' : stamp.format(new Date(v * 1000))) }, ...rest] };
}

export function throughputOptions(labels: { in: string; out: string }, speedBps: number): Omit<uPlot.Options, 'width' | 'height'> {
  const pct = (v: number) => (speedBps > 0 ? `${((v / speedBps) * 100).toFixed(0)}%` : '');
  return base(
    { bps: { range: (u, min, max) => fromZero(u, min, Math.max(max, speedBps * 0.1)) } },
    [
      { label: labels.in, scale: 'bps', stroke: COLORS.in, width: 2, value: (_u, v) => (v === null ? '–' : `${fmtBps(v)} (${pct(v)})`) },
      { label: labels.out, scale: 'bps', stroke: COLORS.out, width: 2, value: (_u, v) => (v === null ? '–' : `${fmtBps(v)} (${pct(v)})`) },
    ],
    [
      { scale: 'bps', values: (_u, splits) => splits.map((v) => fmtBps(v)), size: 80 },
      { scale: 'bps', side: 1, grid: { show: false }, values: (_u, splits) => splits.map(pct), size: 50 },
    ],
  );
}

export function latencyOptions(labels: {
  mean: string;
  p50: string;
  p95: string;
  jitter: string;
}): Omit<uPlot.Options, 'width' | 'height'> {
  const ms = (_u: uPlot, v: number | null) => (v === null ? '–' : `${v.toFixed(2)} ms`);
  return base(
    { ms: { range: fromZero } },
    [
      { label: labels.mean, scale: 'ms', stroke: COLORS.rtt, width: 2, value: ms },
      { label: labels.p50, scale: 'ms', stroke: COLORS.p50, width: 1, value: ms },
      { label: labels.p95, scale: 'ms', stroke: COLORS.p95, width: 1, dash: [6, 4], value: ms },
      { label: labels.jitter, scale: 'ms', stroke: COLORS.jitter, width: 1, dash: [2, 3], value: ms },
    ],
    [{ scale: 'ms', values: (_u, splits) => splits.map((v) => `${v} ms`), size: 70 }],
  );
}

export function lossOptions(label: string): Omit<uPlot.Options, 'width' | 'height'> {
  return base(
    { pct: { range: (_u, _min, max) => [0, Math.max(5, max * 1.2)] } },
    [
      {
        label,
        scale: 'pct',
        stroke: COLORS.loss,
        width: 2,
        fill: 'rgba(214,39,40,0.12)',
        value: (_u, v) => (v === null ? '–' : `${v.toFixed(1)}%`),
      },
    ],
    [{ scale: 'pct', values: (_u, splits) => splits.map((v) => `${v}%`), size: 50 }],
  );
}
