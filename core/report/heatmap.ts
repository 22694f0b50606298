/**
 * The confusion matrix as a heat map: each cell's shade is its share of the true class's rows, blue on the diagonal
 * (right) and red off it (wrong), so the mistakes stand out whatever the class sizes; the count is written in the cell.
 */
import { h } from './format.js';
import type { Html } from './html.js';

/** A shade between white and `rgb` for a share in [0, 1]. */
function shade(rgb: readonly [number, number, number], share: number, full: number): string {
  const t = Math.sqrt(Math.min(1, Math.max(0, share / full))); // sqrt: a few errors are still visible
  const mix = rgb.map((c) => Math.round(255 + (c - 255) * t));
  return `rgb(${mix.join(',')})`;
}

const RIGHT = [8, 81, 156] as const;
const WRONG = [203, 24, 29] as const;

export function confusionHeatmap(confusion: readonly (readonly number[])[], classes: readonly string[]): Html {
  const k = confusion.length;
  const cell = Math.max(18, Math.min(44, Math.floor(440 / Math.max(1, k))));
  const left = 78;
  const top = 56;
  const width = left + k * cell + 16;
  const height = top + k * cell + 16;
  const name = (i: number) => classes[i] ?? String(i);
  const out: string[] = [
    `<svg class="chart heatmap" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="${cell < 26 ? 10 : 12}">`,
    '<title>Confusion matrix: rows are true classes, columns predicted classes</title>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left + (k * cell) / 2}" y="16" text-anchor="middle" font-size="12">predicted class →</text>`,
    `<text transform="translate(16 ${top + (k * cell) / 2}) rotate(-90)" text-anchor="middle" font-size="12">true class →</text>`,
  ];
  confusion.forEach((row, i) => {
    const total = row.reduce((sum, v) => sum + v, 0);
    out.push(`<text x="${left - 8}" y="${top + i * cell + cell / 2}" text-anchor="end" dominant-baseline="middle" fill="#59636e">${h(name(i))}</text>`);
    row.forEach((count, j) => {
      const share = total > 0 ? count / total : 0;
      // Mistakes reach full colour at a quarter of the class: one in ten wrong already stands out.
      const full = i === j ? 1 : 0.25;
      const fill = count === 0 ? '#fafbfc' : shade(i === j ? RIGHT : WRONG, share, full);
      const dark = Math.sqrt(Math.min(1, share / full)) > 0.55;
      const x = left + j * cell;
      const y = top + i * cell;
      const tip = `true ${name(i)}, predicted ${name(j)}: ${count} of ${total} (${total ? ((100 * count) / total).toFixed(1) : '0'}%)`;
      out.push(
        `<rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>${h(tip)}</title></rect>`,
        `<text x="${x + (cell - 1) / 2}" y="${y + (cell - 1) / 2}" text-anchor="middle" dominant-baseline="central" fill="${count === 0 ? '#c4c9cf' : dark ? '#fff' : '#1f2328'}">${count}</text>`,
      );
    });
  });
  for (let j = 0; j < k; j++) {
    out.push(`<text x="${left + j * cell + cell / 2}" y="${top - 10}" text-anchor="middle" fill="#59636e">${h(name(j))}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
