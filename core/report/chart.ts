/**
 * One small SVG chart builder for every plot in the report: lines (curves), dots (scatter), vertical and horizontal
 * marks (a chosen LR, a loss threshold), linear / log / categorical axes with round ticks, and a legend. Pure string
 * building: the page needs no script and no plotting library.
 */
import { formatLr, h, num } from './format.js';

export interface ChartSeries {
  name: string;
  /** [x, y]; a null y breaks the line (a diverged loss, a missing epoch). */
  points: ReadonlyArray<readonly [number, number | null]>;
  colour: string;
  width?: number;
  dash?: string;
  opacity?: number;
  /** A dot at every point, for short curves (epochs). */
  dots?: boolean;
  /** Left out of the legend (e.g. many trials drawn alike). */
  hideInLegend?: boolean;
  /** Draw the line across null values instead of breaking it (epochs that were not reported, not bad values). */
  connectGaps?: boolean;
}

export interface ChartDot {
  x: number;
  y: number;
  colour: string;
  /** Tooltip: what the dot is. */
  title: string;
  /** Drawn larger with a ring: the best trial. */
  highlight?: boolean;
}

export interface ChartMark {
  at: number;
  label: string;
  colour: string;
  dash?: string;
}

export interface AxisOptions {
  label: string;
  scale?: 'linear' | 'log';
  /** Only whole-number ticks (epochs, steps). */
  integer?: boolean;
  /** Names of positions 0…n-1 (a categorical axis; x only). */
  categories?: string[];
  /** Forced ends of the range (e.g. 0 and 1 for accuracy). */
  min?: number;
  max?: number;
  format?: (value: number) => string;
}

export interface ChartOptions {
  /** For screen readers and the tooltip of the whole plot. */
  title: string;
  x: AxisOptions;
  y: AxisOptions;
  series?: ChartSeries[];
  dots?: ChartDot[];
  /** Vertical lines at x values, listed in the legend. */
  vlines?: ChartMark[];
  /** Horizontal lines at y values, labelled at the right end. */
  hlines?: ChartMark[];
  width?: number;
  height?: number;
}

const px = (value: number): string => value.toFixed(1);
const CHAR_PX = 6.6;

/** About `count` round ticks (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Ticks of a log axis: every decade, or 1-2-5 steps when the range spans less than two decades. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const multiples = last - first <= 2 ? [1, 2, 5] : [1];
  const stride = Math.max(1, Math.ceil((last - first) / 8));
  for (let k = first; k <= last; k += stride) {
    for (const m of multiples) {
      const value = Number((m * 10 ** k).toPrecision(12));
      if (value >= lo * (1 - 1e-9) && value <= hi * (1 + 1e-9)) ticks.push(value);
    }
  }
  return ticks;
}

interface Axis {
  lo: number;
  hi: number;
  log: boolean;
  ticks: number[];
  label: (value: number) => string;
}

function axis(options: AxisOptions, values: number[], pad: boolean): Axis {
  const log = options.scale === 'log';
  if (options.categories) {
    const n = options.categories.length;
    const names = options.categories;
    return { lo: -0.5, hi: Math.max(0.5, n - 0.5), log: false, ticks: names.map((_, i) => i), label: (i) => names[i] ?? '' };
  }
  const usable = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let lo = options.min ?? (usable.length ? usable.reduce((a, b) => Math.min(a, b)) : log ? 1 : 0);
  let hi = options.max ?? (usable.length ? usable.reduce((a, b) => Math.max(a, b)) : log ? 10 : 1);
  if (log) {
    if (!(hi > lo)) [lo, hi] = [lo / 2, hi * 2];
    if (pad) [lo, hi] = [lo / 1.25, hi * 1.25];
  } else {
    if (!(hi > lo)) [lo, hi] = lo === 0 ? [-1, 1] : [lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1];
    if (pad) {
      const margin = (hi - lo) * 0.06;
      if (options.min === undefined) lo -= margin;
      if (options.max === undefined) hi += margin;
    }
  }
  const ticks = log ? logTicks(lo, hi) : niceTicks(lo, hi, 5, options.integer);
  const label =
    options.format ??
    (log ? (v: number) => (Number.isInteger(Math.log10(v)) ? `1e${Math.log10(v)}` : formatLr(v)) : (v: number) => num(v));
  return { lo, hi, log, ticks, label };
}

function scaler(a: Axis, from: number, to: number): (value: number) => number {
  const f = (v: number) => (a.log ? Math.log10(v) : v);
  const lo = f(a.lo);
  const hi = f(a.hi);
  return (value) => from + ((f(value) - lo) / (hi - lo)) * (to - from);
}

export function chart(options: ChartOptions): string {
  const width = options.width ?? 640;
  const series = options.series ?? [];
  const dots = options.dots ?? [];
  const vlines = options.vlines ?? [];
  const hlines = options.hlines ?? [];

  // Legend entries: series (unless hidden), then the vertical marks; wrapped into rows above the plot.
  const legend = [
    ...series.filter((s) => !s.hideInLegend).map((s) => ({ label: s.name, colour: s.colour, dash: s.dash })),
    ...vlines.map((m) => ({ label: m.label, colour: m.colour, dash: m.dash ?? '5 3' })),
  ];
  const rows: Array<Array<{ label: string; colour: string; dash: string | undefined; x: number }>> = [[]];
  let cursor = 0;
  for (const entry of legend) {
    const itemWidth = 28 + entry.label.length * CHAR_PX + 16;
    if (cursor > 0 && cursor + itemWidth > width - 72) {
      rows.push([]);
      cursor = 0;
    }
    rows[rows.length - 1]!.push({ ...entry, x: cursor });
    cursor += itemWidth;
  }
  const legendHeight = legend.length ? rows.length * 18 + 6 : 4;
  const margin = { left: 64, right: 18, top: 10 + legendHeight, bottom: 46 };
  const plotHeight = (options.height ?? 300) - 56;
  const height = margin.top + plotHeight + margin.bottom;
  const x0 = margin.left;
  const x1 = width - margin.right;
  const y0 = margin.top;
  const y1 = margin.top + plotHeight;

  const xs = [...series.flatMap((s) => s.points.map(([x]) => x)), ...dots.map((d) => d.x), ...vlines.map((m) => m.at)];
  const ys = [
    ...series.flatMap((s) => s.points.flatMap(([, y]) => (y === null ? [] : [y]))),
    ...dots.map((d) => d.y),
    ...hlines.map((m) => m.at),
  ];
  const xAxis = axis(options.x, xs, dots.length > 0 && series.length === 0);
  const yAxis = axis(options.y, ys, true);
  const sx = scaler(xAxis, x0, x1);
  const sy = scaler(yAxis, y1, y0);
  // Data drawn in plot coordinates inside a nested <svg>, which clips at its edges (no ids needed).
  const px0 = (v: number) => px(sx(v) - x0);
  const py0 = (v: number) => px(sy(v) - y0);

  const out: string[] = [];
  out.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="12">`,
    `<title>${h(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  );
  rows.forEach((row, r) => {
    for (const entry of row) {
      const ly = 14 + r * 18;
      const lx = x0 + entry.x;
      out.push(
        `<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${entry.colour}" stroke-width="2.5"${entry.dash ? ` stroke-dasharray="${entry.dash}"` : ''}/>`,
        `<text x="${lx + 28}" y="${ly}" dominant-baseline="middle" fill="#1f2328">${h(entry.label)}</text>`,
      );
    }
  });
  for (const t of xAxis.ticks) {
    const x = px(sx(t));
    out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#eef0f2"/>`, `<text x="${x}" y="${y1 + 16}" text-anchor="middle" fill="#59636e">${h(xAxis.label(t))}</text>`);
  }
  for (const t of yAxis.ticks) {
    const y = px(sy(t));
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eef0f2"/>`, `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#59636e">${h(yAxis.label(t))}</text>`);
  }
  out.push(
    `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#8c959f"/>`,
    `<text x="${(x0 + x1) / 2}" y="${y1 + 36}" text-anchor="middle" fill="#1f2328">${h(options.x.label)}</text>`,
    `<text transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" fill="#1f2328">${h(options.y.label)}</text>`,
    `<svg x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" overflow="hidden">`,
  );
  for (const mark of hlines) {
    const y = py0(mark.at);
    out.push(
      `<line x1="0" y1="${y}" x2="${x1 - x0}" y2="${y}" stroke="${mark.colour}" stroke-width="1.5" stroke-dasharray="${mark.dash ?? '6 4'}"/>`,
      `<text x="${x1 - x0 - 4}" y="${Number(y) - 5}" text-anchor="end" fill="${mark.colour}">${h(mark.label)}</text>`,
    );
  }
  for (const mark of vlines) {
    const x = px0(mark.at);
    out.push(`<line x1="${x}" y1="0" x2="${x}" y2="${y1 - y0}" stroke="${mark.colour}" stroke-width="2" stroke-dasharray="${mark.dash ?? '5 3'}"><title>${h(mark.label)}</title></line>`);
  }
  for (const s of series) {
    const attrs = `fill="none" stroke="${s.colour}" stroke-width="${s.width ?? 2}" stroke-linejoin="round"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}${s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : ''}`;
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) out.push(`<polyline ${attrs} points="${run.join(' ')}"><title>${h(s.name)}</title></polyline>`);
      run = [];
    };
    for (const [x, y] of s.points) {
      if (y === null && s.connectGaps) continue;
      if (y === null || !Number.isFinite(y) || (xAxis.log && x <= 0) || (yAxis.log && y <= 0)) flush();
      else run.push(`${px0(x)},${py0(y)}`);
    }
    flush();
    if (s.dots) {
      for (const [x, y] of s.points) {
        if (y !== null && Number.isFinite(y)) out.push(`<circle cx="${px0(x)}" cy="${py0(y)}" r="3" fill="${s.colour}"${s.opacity !== undefined ? ` fill-opacity="${s.opacity}"` : ''}/>`);
      }
    }
  }
  for (const dot of dots) {
    const ring = dot.highlight ? `<circle cx="${px0(dot.x)}" cy="${py0(dot.y)}" r="9" fill="none" stroke="${dot.colour}" stroke-width="2"/>` : '';
    out.push(`${ring}<circle cx="${px0(dot.x)}" cy="${py0(dot.y)}" r="${dot.highlight ? 5.5 : 4.5}" fill="${dot.colour}" fill-opacity="0.85" stroke="#fff"><title>${h(dot.title)}</title></circle>`);
  }
  out.push('</svg>', '</svg>');
  return out.join('\n');
}

/** Every k-th point so a long series stays a few thousand points (the shape survives, the page stays small). */
export function thin<T>(items: readonly T[], max = 1500): T[] {
  if (items.length <= max) return [...items];
  const stride = Math.ceil(items.length / max);
  const kept = items.filter((_, i) => i % stride === 0);
  if ((items.length - 1) % stride !== 0) kept.push(items[items.length - 1] as T);
  return kept;
}

/** Colour-blind-safe (Okabe–Ito) colours for series and classes. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];
