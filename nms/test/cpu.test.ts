import { describe, expect, it } from 'vitest';
import { averageLoad, busyPercent, CpuLoad, type CpuTicks } from '../src/domain/cpu';

const ticks = (o: Partial<Record<keyof CpuTicks, number>>): CpuTicks => ({
  user: BigInt(o.user ?? 0),
  nice: BigInt(o.nice ?? 0),
  system: BigInt(o.system ?? 0),
  idle: BigInt(o.idle ?? 0),
  wait: BigInt(o.wait ?? 0),
  kernel: BigInt(o.kernel ?? 0),
  interrupt: BigInt(o.interrupt ?? 0),
  softIrq: BigInt(o.softIrq ?? 0),
  steal: BigInt(o.steal ?? 0),
});
const ucd = (o: Partial<Record<keyof CpuTicks, number>>) => ({ processorLoads: [], ticks: ticks(o) });

describe('CPU percent', () => {
  it('hrProcessorLoad is averaged over processors', () => {
    expect(averageLoad([10, 30, 50, 70])).toBe(40);
    expect(averageLoad([])).toBeNull();
    expect(new CpuLoad().update({ processorLoads: [5, 15], ticks: null }, 100)).toBe(10);
  });

  it('busy = total - idle - wait over the interval', () => {
    const a = ticks({ user: 1000, system: 500, idle: 8000, wait: 200, softIrq: 10 });
    // +300 user, +90 system, +10 softirq, +500 idle, +100 wait: 400 busy of 1000.
    const b = ticks({ user: 1300, system: 590, idle: 8500, wait: 300, softIrq: 20 });
    expect(busyPercent(a, b)).toBeCloseTo(40, 9);
  });

  it('a 2-core router under load reads at most 100 %, never the load average x 100', () => {
    const cpu = new CpuLoad();
    // Two cores, 100 ticks/s each, fully busy for 60 s: 12,000 ticks, none idle.
    expect(cpu.update(ucd({ user: 50_000, system: 10_000, idle: 900_000 }), 6000)).toBeNull();
    expect(cpu.update(ucd({ user: 59_000, system: 13_000, idle: 900_000 }), 12_000)).toBe(100);
  });

  it('null on the first poll, after a counter reset, after a reboot, and when no tick passed', () => {
    const cpu = new CpuLoad();
    expect(cpu.update(ucd({ user: 100, idle: 900 }), 1000)).toBeNull();
    expect(cpu.update(ucd({ user: 150, idle: 950 }), 2000)).toBe(50);
    // a counter went back without sysUpTime going back (agent restart, 32-bit wrap): baseline
    expect(cpu.update(ucd({ user: 10, idle: 960 }), 3000)).toBeNull();
    expect(cpu.update(ucd({ user: 40, idle: 1030 }), 4000)).toBe(30);
    // reboot: sysUpTime went back, even if the counters happen to be higher
    expect(cpu.update(ucd({ user: 5000, idle: 6000 }), 100)).toBeNull();
    expect(cpu.update(ucd({ user: 5000, idle: 6000 }), 200)).toBeNull(); // agent cache not refreshed
    expect(cpu.update(ucd({ user: 5025, idle: 6075 }), 300)).toBe(25);
  });

  it('a poll without tick counters forgets the baseline', () => {
    const cpu = new CpuLoad();
    cpu.update(ucd({ user: 100, idle: 900 }), 1000);
    expect(cpu.update({ processorLoads: [], ticks: null }, 2000)).toBeNull();
    expect(cpu.update(ucd({ user: 200, idle: 1000 }), 3000)).toBeNull();
  });
});
