// Tells nms this server's cascade links' health every few seconds (POST CASCADE_HEALTH_PATH, kit's
// contract), with a short-lived service token as the live-sites call does. The report is pushed,
// not pulled: nms holds only our public key, so it has no session to call us with, and a public
// health endpoint would show anyone on the network when a district is cut off.

import { createParser } from '@lienthong/kit';
import { CASCADE_HEALTH_PATH, type CascadeHealthReport, CascadeHealthReport as ReportSchema } from '@lienthong/kit/contracts';
import type { CascadeHealthSource } from '../domain/cascade/health';
import { postJson, type SignService, serviceBearer } from './nms-client';

/** Every few seconds: nms forgets a server's report after a few missed ones (nms's CASCADE_REPORT_TTL_MS). */
export const CASCADE_REPORT_EVERY_MS = 5000;

const checkReport = createParser(ReportSchema);

export type CascadeReportSink = (report: CascadeHealthReport) => Promise<void>;

export function nmsCascadeHealth(nmsUrl: string, signService: SignService, ca?: Buffer): CascadeReportSink {
  const bearer = serviceBearer(signService);
  const url = new URL(CASCADE_HEALTH_PATH, nmsUrl);
  return async (report) => {
    const { status, text } = await postJson(url, JSON.stringify(report), await bearer(), ca);
    if (status !== 200) throw new Error(`nms answered HTTP ${status}: ${text.slice(0, 200)}`);
  };
}

/** Reports now and then every `everyMs`; a failure is told once until a report goes through again. */
export function reportCascadeHealth(
  source: CascadeHealthSource,
  send: CascadeReportSink,
  onError: (e: Error) => void,
  everyMs = CASCADE_REPORT_EVERY_MS,
): { stop(): void } {
  let lastError = '';
  let busy = false;
  const once = async () => {
    if (busy) return;
    busy = true;
    try {
      const report = { server: source.serverId, neighbours: source.neighbours() };
      const checked = checkReport.parse(report);
      if (!checked.ok) throw new Error(`not a cascade health report: ${checked.problems.slice(0, 3).join('; ')}`);
      await send(report);
      lastError = '';
    } catch (e) {
      if ((e as Error).message !== lastError) onError(e as Error);
      lastError = (e as Error).message;
    } finally {
      busy = false;
    }
  };
  void once();
  const timer = setInterval(() => void once(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
