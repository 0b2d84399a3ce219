// Connection-quality grade from real statistics. Thresholds follow ITU-T G.114
// (150 ms one way is fine for conversation; RTT doubles it) and the observation
// that a few percent of loss visibly harms video.
export interface QualityNumbers {
  rttMs: number | null;
  lossFraction: number;
  sendBps: number;
  recvBps: number;
  jitterMs: number | null;
  /** The spatial simulcast layer of the best picture the site receives (0 lowest); null: none. */
  layer?: number | null;
  /** Video freezes the site's browser counted in this meeting (it reports them). */
  freezes?: number;
}
export type Grade = 'good' | 'fair' | 'poor' | 'unknown';

export function gradeQuality(q: QualityNumbers): Grade {
  if (q.rttMs === null && q.sendBps === 0 && q.recvBps === 0) return 'unknown';
  const rtt = q.rttMs ?? 0;
  if (rtt > 600 || q.lossFraction > 0.08) return 'poor';
  if (rtt > 300 || q.lossFraction > 0.02 || (q.jitterMs ?? 0) > 60) return 'fair';
  return 'good';
}

/**
 * Whether `b` would look different on screen from `a`: another grade, round trip by 25 ms, loss by
 * a percentage point, a bit rate by a quarter, jitter by 20 ms. Thresholds, not rounding, so
 * figures that wobble around a step do not count as changes.
 */
export function qualityDiffers(a: QualityNumbers, b: QualityNumbers): boolean {
  const near = (x: number | null, y: number | null, step: number) => (x === null || y === null ? x === y : Math.abs(x - y) < step);
  const rate = (x: number, y: number) => Math.max(x, y) < 8000 || Math.max(x, y) / Math.max(1, Math.min(x, y)) < 1.25;
  return (
    gradeQuality(a) !== gradeQuality(b) ||
    (a.layer ?? null) !== (b.layer ?? null) ||
    (a.freezes ?? 0) !== (b.freezes ?? 0) ||
    !near(a.rttMs, b.rttMs, 25) ||
    !near(a.lossFraction, b.lossFraction, 0.01) ||
    !rate(a.sendBps, b.sendBps) ||
    !rate(a.recvBps, b.recvBps) ||
    !near(a.jitterMs, b.jitterMs, 20)
  );
}
