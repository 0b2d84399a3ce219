// Health checks: each component reports ok or a reason; /healthz is 200 only when all are ok.
export type CheckResult = { ok: true } | { ok: false; reason: string };
export type HealthCheck = () => CheckResult | Promise<CheckResult>;

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  checks: Record<string, CheckResult>;
}

export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<HealthReport> {
    const checks: Record<string, CheckResult> = {};
    for (const [name, check] of this.checks) {
      try {
        checks[name] = await check();
      } catch (e) {
        checks[name] = { ok: false, reason: (e as Error).message };
      }
    }
    const ok = Object.values(checks).every((c) => c.ok);
    return { status: ok ? 'ok' : 'unhealthy', checks };
  }
}
