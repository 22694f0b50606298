/** Grouped vertical bars as SVG: rows per class, or each split's class proportions side by side. */
import { niceTicks } from './chart.js';
import { h } from './format.js';
import type { Html } from './html.js';

export interface BarGroup {
  name: string;
  colour: string;
  values: number[];
}

export interface BarChartOptions {
  title: string;
  categories: string[];
  groups: BarGroup[];
  xLabel: string;
  yLabel: string;
  /** Tick and tooltip text of a value. */
  format: (value: number) => string;
  width?: number;
  height?: number;
}

export function barChart(options: BarChartOptions): Html {
  const { categories, groups } = options;
  const width = options.width ?? Math.min(900, Math.max(360, 90 + categories.length * (groups.length * 14 + 14)));
  const legendHeight = groups.length > 1 ? 24 : 4;
  const margin = { left: 58, right: 12, top: 10 + legendHeight, bottom: 46 };
  const height = options.height ?? 240;
  const x0 = margin.left;
  const x1 = width - margin.right;
  const y0 = margin.top;
  const y1 = height - margin.bottom;
  const max = Math.max(0, ...groups.flatMap((g) => g.values));
  const ticks = niceTicks(0, max > 0 ? max * 1.05 : 1, 4);
  const top = Math.max(ticks[ticks.length - 1] ?? 1, max);
  const sy = (v: number) => y1 - (v / top) * (y1 - y0);
  const slot = (x1 - x0) / Math.max(1, categories.length);
  const barWidth = Math.max(2, Math.min(28, (slot * 0.8) / Math.max(1, groups.length)));
  const out: string[] = [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="12">`,
    `<title>${h(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  if (groups.length > 1) {
    let lx = x0;
    for (const group of groups) {
      out.push(`<rect x="${lx}" y="8" width="14" height="12" fill="${group.colour}"/>`, `<text x="${lx + 20}" y="14" dominant-baseline="middle">${h(group.name)}</text>`);
      lx += 34 + group.name.length * 7;
    }
  }
  for (const t of ticks) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eef0f2"/>`, `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#59636e">${h(options.format(t))}</text>`);
  }
  // Labels every few categories when they would overlap (many classes).
  const longest = Math.max(1, ...categories.map((name) => name.length));
  const labelStride = Math.max(1, Math.ceil((longest * 7 + 6) / slot));
  categories.forEach((category, c) => {
    const center = x0 + slot * (c + 0.5);
    const start = center - (barWidth * groups.length) / 2;
    groups.forEach((group, g) => {
      const value = group.values[c] ?? 0;
      const y = sy(value);
      out.push(
        `<rect x="${(start + g * barWidth).toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${(y1 - y).toFixed(1)}" fill="${group.colour}"><title>${h(`${category} · ${group.name}: ${options.format(value)}`)}</title></rect>`,
      );
    });
    if (c % labelStride === 0) out.push(`<text x="${center.toFixed(1)}" y="${y1 + 16}" text-anchor="middle" fill="#59636e">${h(category)}</text>`);
  });
  out.push(
    `<line x1="${x0}" y1="${y1}" x2="${x1}" y2="${y1}" stroke="#8c959f"/>`,
    `<text x="${(x0 + x1) / 2}" y="${y1 + 36}" text-anchor="middle">${h(options.xLabel)}</text>`,
    `<text transform="translate(14 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${h(options.yLabel)}</text>`,
    '</svg>',
  );
  return out.join('\n');
}
