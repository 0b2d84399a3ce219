// The bench charts' drawing: median bars with a min-max whisker per item, text, the SVG document.
import type { Spread } from './bench-meta';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export class SvgChart {
  private readonly out: string[] = [];

  text(x: number, y: number, s: string, extra = ''): void {
    this.out.push(`<text x="${x}" y="${y}" ${extra}>${esc(s)}</text>`);
  }

  /** A panel at x0: a title, then one bar (median) with a whisker (min-max) per item, 150 px apart. */
  bars(x0: number, title: string, items: [string, Spread, string][], fmt: (v: number) => string): void {
    const top = Math.max(...items.map(([, s]) => s.max)) * 1.2 || 1;
    const y = (v: number) => 250 - (v / top) * 190;
    this.text(x0, 24, title, 'font-weight="bold"');
    // Three bars share a panel's 340 px as two do.
    const [step, w] = items.length > 2 ? [115, 80] : [150, 90];
    items.forEach(([label, s, color], i) => {
      const x = x0 + 40 + i * step;
      this.out.push(`<rect x="${x}" y="${y(s.median)}" width="${w}" height="${250 - y(s.median)}" fill="${color}"/>`);
      this.out.push(`<line x1="${x + w / 2}" x2="${x + w / 2}" y1="${y(s.max)}" y2="${y(s.min)}" stroke="#000"/>`);
      this.text(x + w / 2, y(s.max) - 6, fmt(s.median), 'text-anchor="middle"');
      this.text(x + w / 2, 270, label, 'text-anchor="middle"');
    });
  }

  svg(width: number, height: number, title: string): string {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">\n<title>${title}</title>\n<rect width="100%" height="100%" fill="#fff"/>\n${this.out.join('\n')}\n</svg>\n`;
  }
}
