// A site's quality samples → uPlot columns and chart options, with the moments it dropped out and
// came back drawn as vertical lines on every chart (red: lost, green: back).
import type { SiteQuality } from '@lienthong/sfu-server/protocol';
import uPlot from 'uplot';
import { fmtBps, TZ } from '../network/format';

export interface QualityColumns {
  x: number[];
  rttMs: (number | null)[];
  jitterMs: (number | null)[];
  lossPct: number[];
  sendBps: number[];
  recvBps: number[];
  /** Spatial layer of the best picture received (null: not known at that sample). */
  layer: (number | null)[];
  /** Freezes since the previous sample (the browser reports a running count; a new page starts at 0). */
  freezes: (number | null)[];
}

export function qualityColumns(samples: SiteQuality['samples']): QualityColumns {
  const c: QualityColumns = { x: [], rttMs: [], jitterMs: [], lossPct: [], sendBps: [], recvBps: [], layer: [], freezes: [] };
  let lastCount: number | null = null;
  for (const s of [...samples].sort((a, b) => a.at - b.at)) {
    c.layer.push(s.layer ?? null);
    const count = s.freezes ?? null;
    c.freezes.push(count === null ? null : lastCount === null || count < lastCount ? count : count - lastCount);
    if (count !== null) lastCount = count;
    c.x.push(s.at / 1000);
    c.rttMs.push(s.rttMs);
    c.jitterMs.push(s.jitterMs);
    c.lossPct.push(s.lossFraction * 100);
    c.sendBps.push(s.sendBps);
    c.recvBps.push(s.recvBps);
  }
  return c;
}

export const MARK_COLORS: Record<SiteQuality['events'][number]['kind'], string> = {
  joined: '#52606d',
  disconnected: '#d62728',
  reconnected: '#2ca02c',
  left: '#52606d',
};

/** A link on the site's path, as nms saw it: colour and dash by its new state. */
export function networkMarkStyle(state: string): { color: string; dash: number[] } {
  if (state === 'down') return { color: '#7a3e0c', dash: [] };
  if (state === 'up') return { color: '#17a2b8', dash: [2, 3] };
  return { color: '#f08c00', dash: [2, 3] }; // degraded, flapping, unknown
}

/** What a site's charts mark: its connection events and the changes of the links on its path. */
export type Marks = Pick<SiteQuality, 'events' | 'network'>;

/** Draws each event as a vertical line across the plot. */
function marks(m: Marks): uPlot.Plugin {
  const lines = [
    ...m.events.map((e) => ({
      at: e.at,
      color: MARK_COLORS[e.kind],
      dash: e.kind === 'disconnected' || e.kind === 'reconnected' ? [] : [4, 4],
    })),
    ...m.network.map((n) => ({ at: n.at, ...networkMarkStyle(n.state) })),
  ];
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.lineWidth = 2 * uPlot.pxRatio;
        for (const l of lines) {
          const x = Math.round(u.valToPos(l.at / 1000, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = l.color;
          ctx.setLineDash(l.dash.map((d) => d * uPlot.pxRatio));
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

type Options = Omit<uPlot.Options, 'width' | 'height'>;
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false });
const stamp = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

function base(timeLabel: string, events: Marks, scale: string, series: uPlot.Series[], axis: uPlot.Axis, range: [number, number]): Options {
  return {
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), TZ),
    scales: {
      x: { time: true, range: (_u, min, max) => [min, Math.max(max, min + 60)] },
      [scale]: { range: (_u, _min, max) => [range[0], Math.max(range[1], max * 1.1)] },
    },
    series: [
      { label: timeLabel, value: (_u, v) => (v === null ? '–' : stamp.format(new Date(v * 1000))) },
      ...series.map((s) => ({ spanGaps: true, scale, width: 2, ...s })),
    ],
    axes: [
      { values: (_u, splits) => splits.map((v) => clock.format(new Date(v * 1000))), space: 60 },
      { scale, ...axis },
    ],
    legend: { live: true },
    plugins: [marks(events)],
  };
}

const ms = (_u: uPlot, v: number | null) => (v === null ? '–' : `${v.toFixed(0)} ms`);

export function latencyChart(labels: { time: string; rtt: string; jitter: string }, events: Marks): Options {
  return base(
    labels.time,
    events,
    'ms',
    [
      { label: labels.rtt, stroke: '#2ca02c', value: ms },
      { label: labels.jitter, stroke: '#8c564b', dash: [2, 3], value: ms },
    ],
    { values: (_u, splits) => splits.map((v) => `${v} ms`), size: 70 },
    [0, 50],
  );
}

export function lossChart(labels: { time: string; loss: string }, events: Marks): Options {
  return base(
    labels.time,
    events,
    'pct',
    [{ label: labels.loss, stroke: '#d62728', fill: 'rgba(214,39,40,0.12)', value: (_u, v) => (v === null ? '–' : `${v.toFixed(1)}%`) }],
    { values: (_u, splits) => splits.map((v) => `${v}%`), size: 50 },
    [0, 5],
  );
}

export function rateChart(labels: { time: string; send: string; recv: string }, events: Marks): Options {
  const v = (_u: uPlot, x: number | null) => (x === null ? '–' : fmtBps(x));
  return base(
    labels.time,
    events,
    'bps',
    [
      { label: labels.recv, stroke: '#1f77b4', value: v },
      { label: labels.send, stroke: '#ff7f0e', value: v },
    ],
    { values: (_u, splits) => splits.map((x) => fmtBps(x)), size: 80 },
    [0, 100_000],
  );
}

export function videoChart(labels: { time: string; layer: string; freezes: string }, events: Marks): Options {
  const n = (_u: uPlot, v: number | null) => (v === null ? '–' : String(v));
  return base(
    labels.time,
    events,
    'count',
    [
      { label: labels.layer, stroke: '#1f77b4', value: n, paths: uPlot.paths.stepped?.({ align: 1 }) },
      { label: labels.freezes, stroke: '#d62728', fill: 'rgba(214,39,40,0.12)', value: n },
    ],
    { values: (_u, splits) => splits.map((v) => String(v)), size: 40 },
    [0, 2],
  );
}
