import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { exposition, LabelSets, TextFamilies } from '../src/metrics/families';

/** Many interfaces of many devices, with a non-Latin-1 label and help text (site names carry diacritics). */
function families(devices: number): TextFamilies {
  const f = new TextFamilies();
  const sets = new LabelSets(['site', 'device', 'interface']);
  f.add('lienthong_interface_in_octets_total', 'Octets in – per interface\nsecond line', 'counter', (emit) => {
    for (let d = 0; d < devices; d++)
      for (let i = 0; i < 16; i++) emit(sets.render([`Đại Từ "${d % 7}"`, `dev-${d}`, `Gi0/${i}`]), d * 1000 + i + 0.5);
  });
  f.add('lienthong_device_up', 'up', 'gauge', (emit) => {
    for (let d = 0; d < devices; d++) emit(sets.render(['Phổ Yên', `dev-${d}`, '']), d % 2);
    emit(sets.render(['x', 'y\\z', '']), Number.NaN);
  });
  return f;
}

/** The same text written line by line into one string: what the chunked writer must equal. */
function reference(devices: number): string {
  const lines = [
    '# HELP lienthong_interface_in_octets_total Octets in – per interface\\nsecond line',
    '# TYPE lienthong_interface_in_octets_total counter',
  ];
  for (let d = 0; d < devices; d++)
    for (let i = 0; i < 16; i++)
      lines.push(
        `lienthong_interface_in_octets_total{site="Đại Từ \\"${d % 7}\\"",device="dev-${d}",interface="Gi0/${i}"} ${d * 1000 + i + 0.5}`,
      );
  lines.push('# HELP lienthong_device_up up', '# TYPE lienthong_device_up gauge');
  for (let d = 0; d < devices; d++) lines.push(`lienthong_device_up{site="Phổ Yên",device="dev-${d}",interface=""} ${d % 2}`);
  lines.push('lienthong_device_up{site="x",device="y\\\\z",interface=""} NaN');
  return `${lines.join('\n')}\n`;
}

describe('the /metrics text of per-device and per-interface families', () => {
  it('is the same UTF-8 text whether it fits one chunk or spans many', () => {
    for (const devices of [1, 3, 2000]) {
      const out = families(devices).render();
      expect(Buffer.isBuffer(out)).toBe(true);
      expect(out.toString('utf8')).toBe(reference(devices));
    }
    // 2,000 devices is megabytes: well past one 64 KiB chunk.
    expect(families(2000).render().length).toBeGreaterThan(10 * 65_536);
  });

  it("follows prom-client's own registry in one exposition", async () => {
    const registry = new Registry();
    new Gauge({ name: 'lienthong_nms_devices', help: 'devices', registers: [registry] }).set(3);
    const expo = exposition(registry, families(3));
    const text = (await expo.metrics()).toString();
    expect(text.startsWith('# HELP lienthong_nms_devices devices\n# TYPE lienthong_nms_devices gauge\nlienthong_nms_devices 3\n')).toBe(
      true,
    );
    expect(text.endsWith(reference(3))).toBe(true);
    expect(expo.contentType).toBe(registry.contentType);
  });
});
