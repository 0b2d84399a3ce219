// Connection-quality grade from real statistics. Thresholds follow ITU-T G.114
// (150 ms one way is fine for conversation; RTT doubles it) and the observation
// that a few percent of loss visibly harms video.
export interface QualityNumbers {
  rttMs: number | null;
  lossFraction: number;
  sendBps: number;
  recvBps: number;
  jitterMs: number | null;
}
export type Grade = 'good' | 'fair' | 'poor' | 'unknown';

export function gradeQuality(q: QualityNumbers): Grade {
  if (q.rttMs === null && q.sendBps === 0 && q.recvBps === 0) return 'unknown';
  const rtt = q.rttMs ?? 0;
  if (rtt > 600 || q.lossFraction > 0.08) return 'poor';
  if (rtt > 300 || q.lossFraction > 0.02 || (q.jitterMs ?? 0) > 60) return 'fair';
  return 'good';
}
