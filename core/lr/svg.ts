/**
 * A standalone SVG of an LR range test: smoothed loss (and the raw loss, faint) against the lr on a log axis,
 * each suggestion marked and labelled, the verdict and its reasons underneath. Pure string building, so the
 * report activity and the CLI draw the same picture without a plotting library.
 */
import type { LrRangeTestAnalysis, LrSuggestions } from './rangeTest.js';

const WIDTH = 720;
const PLOT_HEIGHT = 456;
const MARGIN = { left: 72, right: 24, top: 72, bottom: 56 };
const REASON_LINE = 18;
const LEGEND_ITEM = 132;
/** Characters per line of a reason, about what fits the width at 12px. */
const WRAP = 96;

/** Marker colours per suggestion (colour-blind-safe Okabe–Ito palette). */
const COLOURS: Record<keyof LrSuggestions, string> = {
  valley: '#D55E00',
  steep: '#009E73',
  minimum: '#CC79A7',
  slide: '#E69F00',
};

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const px = (v: number): string => v.toFixed(1);

/** `0.00123` -> `1.23e-3`: compact lr labels. */
export function formatLr(lr: number): string {
  const [mantissa, exponent] = lr.toExponential(2).split('e') as [string, string];
  return `${Number(mantissa)}e${Number(exponent)}`;
}

/** About five round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
function niceTicks(lo: number, hi: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Linear interpolation of `ys` at `x` over increasing `xs`, clamped at the ends (numpy.interp). */
function interp(x: number, xs: readonly number[], ys: readonly number[]): number {
  if (x <= (xs[0] as number)) return ys[0] as number;
  for (let i = 1; i < xs.length; i++) {
    const x1 = xs[i] as number;
    if (x <= x1) {
      const x0 = xs[i - 1] as number;
      const y0 = ys[i - 1] as number;
      return y0 + (((ys[i] as number) - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return ys[ys.length - 1] as number;
}

/** Greedy word wrap; a reason is a sentence or two, never a word longer than a line. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function renderLrCurveSvg(analysis: LrRangeTestAnalysis): string {
  const { curve, suggestions, trustworthy, reasons } = analysis;
  const reasonLines = reasons.flatMap((reason) => wrap(reason, WRAP).map((text, i) => (i === 0 ? `• ${text}` : `  ${text}`)));
  const height = PLOT_HEIGHT + reasonLines.length * REASON_LINE;
  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  const y0 = MARGIN.top;
  const y1 = PLOT_HEIGHT - MARGIN.bottom;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      'font-family="system-ui, sans-serif" font-size="12">',
    '<title>LR range test</title>',
    `<desc>${esc(trustworthy ? 'Trustworthy.' : `Not trustworthy: ${reasons.join('; ')}`)}</desc>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${x0}" y="24" font-size="16" font-weight="bold">LR range test</text>`,
    `<text x="${x0}" y="42" fill="${trustworthy ? '#1a7f37' : '#cf222e'}">` +
      `${esc(trustworthy ? 'trustworthy' : `not trustworthy: ${reasons.length} problem(s), listed below`)}</text>`,
  );
  reasonLines.forEach((text, i) => {
    out.push(`<text x="${x0}" y="${PLOT_HEIGHT + 4 + i * REASON_LINE}" fill="#cf222e" xml:space="preserve">${esc(text)}</text>`);
  });
  out.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#888"/>`);

  if (curve.length === 0) {
    out.push(`<text x="${(x0 + x1) / 2}" y="${(y0 + y1) / 2}" text-anchor="middle" fill="#666">no usable points</text>`, '</svg>');
    return out.join('\n');
  }

  const marks = (Object.entries(suggestions) as [keyof LrSuggestions, number | null][]).filter(
    (entry): entry is [keyof LrSuggestions, number] => entry[1] !== null,
  );
  const logs = curve.map((p) => Math.log10(p.lr));
  const smoothed = curve.map((p) => p.smoothed);
  // The x range covers the suggestions too: minimum/10 usually lies left of its point on the curve.
  const xs = [...logs, ...marks.map(([, lr]) => Math.log10(lr))];
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  if (xMax - xMin < 1e-9) [xMin, xMax] = [xMin - 0.5, xMax + 0.5];
  let yMin = Math.min(...smoothed);
  let yMax = Math.max(...smoothed);
  const pad = (yMax - yMin) * 0.05 || Math.abs(yMax) * 0.05 || 1;
  [yMin, yMax] = [yMin - pad, yMax + pad];
  const sx = (logLr: number): number => x0 + ((logLr - xMin) / (xMax - xMin)) * (x1 - x0);
  const sy = (loss: number): number => y1 - ((loss - yMin) / (yMax - yMin)) * (y1 - y0);

  // Grid and ticks: one per decade of lr, round values of loss.
  const decades: number[] = [];
  for (let k = Math.ceil(xMin); k <= Math.floor(xMax); k++) decades.push(k);
  for (const k of decades.length > 0 ? decades : [xMin, xMax]) {
    const x = px(sx(k));
    out.push(
      `<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#eee"/>`,
      `<text x="${x}" y="${y1 + 16}" text-anchor="middle">${esc(Number.isInteger(k) ? `1e${k}` : formatLr(10 ** k))}</text>`,
    );
  }
  for (const t of niceTicks(yMin, yMax)) {
    const y = px(sy(t));
    out.push(
      `<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eee"/>`,
      `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(String(t))}</text>`,
    );
  }
  out.push(
    `<text x="${(x0 + x1) / 2}" y="${y1 + 38}" text-anchor="middle">learning rate (log scale)</text>`,
    `<text transform="translate(18 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">smoothed loss</text>`,
    `<clipPath id="plot"><rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}"/></clipPath>`,
  );

  const line = (ys: readonly number[]): string => curve.map((_, i) => `${px(sx(logs[i] as number))},${px(sy(ys[i] as number))}`).join(' ');
  out.push(
    `<polyline clip-path="url(#plot)" fill="none" stroke="#bbb" stroke-width="1" points="${line(curve.map((p) => p.loss))}"/>`,
    `<polyline clip-path="url(#plot)" fill="none" stroke="#0072B2" stroke-width="2" points="${line(smoothed)}"/>`,
  );

  // Suggestions: a dashed line and a dot on the curve (interpolated in log lr); the labels go in a legend above
  // the plot, because suggestions often sit too close together to label in place.
  marks.forEach(([name, lr], i) => {
    const x = px(sx(Math.log10(lr)));
    const y = px(sy(interp(Math.log10(lr), logs, smoothed)));
    const colour = COLOURS[name];
    const label = esc(`${name} ${formatLr(lr)}`);
    const legendX = x0 + i * LEGEND_ITEM;
    out.push(
      `<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="${colour}" stroke-dasharray="4 3"/>`,
      `<circle cx="${x}" cy="${y}" r="5" fill="${colour}"><title>${label}</title></circle>`,
      `<circle cx="${legendX + 5}" cy="58" r="5" fill="${colour}"/>`,
      `<text x="${legendX + 14}" y="58" dominant-baseline="middle">${label}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
