/**
 * Samples shown as the data really is: pixel features as images (a digit looks like a digit), with any other
 * column written under the image; data that is not pixels as table rows with every value. Also decides, when the
 * spec does not say, which features are pixels.
 */
import { h, num } from './format.js';
import type { Html } from './html.js';
import { grayPngDataUri } from './png.js';
import type { ImageView, Sample, SampleView } from './types.js';

/** Columns named like pixels: p0…pN (scikit-learn's digits as exported), pixel0, pixel_3_4, px12. */
const PIXEL_NAME = /^(p|px|pixel)[_-]?\d+([_-]\d+)?$/i;
/** Other columns written under an image (an id, a leaky code): the first few. */
const EXTRA_SHOWN = 3;

/**
 * Square pixel data, as far as the data can tell: the columns named like pixels number a square with a side of at
 * least 4 and hold small non-negative values. Other columns (an id, a leaked code) may sit beside them; they are
 * written under the image. `maxValue` becomes the usual full-ink value the data reaches (1, 16, 255).
 */
export function inferImageView(columns: readonly string[], rows: ReadonlyArray<readonly number[]>): ImageView | null {
  const pixels = columns.flatMap((name, index) => (PIXEL_NAME.test(name) ? [index] : []));
  const side = Math.round(Math.sqrt(pixels.length));
  if (side < 4 || side * side !== pixels.length) return null;
  let max = 0;
  for (const row of rows) {
    for (const index of pixels) {
      const value = row[index] as number;
      if (!Number.isFinite(value) || value < 0) return null;
      if (value > max) max = value;
    }
  }
  if (max > 255) return null;
  const maxValue = [1, 16, 255].find((full) => max <= full) ?? 255;
  return { width: side, height: side, maxValue, ...(pixels.length < columns.length ? { pixels } : {}) };
}

/** Screen pixels per image pixel: about 80 px a side, whole multiples only so pixels stay crisp. */
export function imageScale(view: ImageView): number {
  return Math.max(1, Math.min(12, Math.floor(80 / Math.max(view.width, view.height))));
}

export function className(classes: readonly string[], label: number | null): string {
  if (label === null) return 'unlabeled';
  return classes[label] ?? String(label);
}

export function sampleImage(sample: Sample, view: ImageView, alt: string): Html {
  const scale = imageScale(view);
  const values = view.pixels ? view.pixels.map((index) => sample.features[index] ?? 0) : sample.features;
  const uri = grayPngDataUri(values, view.width, view.height, view.maxValue);
  return `<img class="px" src="${uri}" width="${view.width * scale}" height="${view.height * scale}" alt="${h(alt)}">`;
}

/** The columns that are not pixels, with this sample's values: "ink_code 24". */
function extraColumns(sample: Sample, view: SampleView): Html {
  const pixels = view.image?.pixels;
  if (!pixels) return '';
  const inImage = new Set(pixels);
  const extras = view.columns.flatMap((name, index) => (inImage.has(index) ? [] : [`${h(name)} <b>${h(num(sample.features[index] ?? null))}</b>`]));
  if (extras.length === 0) return '';
  return `<br><span class="extra">${extras.slice(0, EXTRA_SHOWN).join('<br>')}${extras.length > EXTRA_SHOWN ? `<br>+${extras.length - EXTRA_SHOWN} more` : ''}</span>`;
}

export interface ShownSample {
  sample: Sample;
  /** Under the image (or in the note column of a table): e.g. "true 3 · predicted 8 (91%)". */
  caption: Html;
  tone?: 'bad' | 'warn';
}

export function sampleFigure({ sample, caption, tone }: ShownSample, view: SampleView, classes: readonly string[]): Html {
  const alt = `row ${sample.row}, label ${className(classes, sample.label)}`;
  return `<figure class="sample${tone ? ` ${tone}` : ''}">${sampleImage(sample, view.image!, alt)}<figcaption>${caption}${extraColumns(sample, view)}</figcaption></figure>`;
}

/** A grid of images when the view is an image, else a table: row, label, the caption when there is one, then every feature. */
export function sampleGallery(items: readonly ShownSample[], view: SampleView, classes: readonly string[]): Html {
  if (items.length === 0) return '<p class="note">None.</p>';
  if (view.image) return `<div class="gallery">${items.map((item) => sampleFigure(item, view, classes)).join('')}</div>`;
  return featureTable(items, view, classes);
}

function featureTable(items: readonly ShownSample[], view: SampleView, classes: readonly string[]): Html {
  const notes = items.some((item) => item.caption !== '');
  const head = `<tr><th class="t">row</th><th class="t">label</th>${notes ? '<th class="t">note</th>' : ''}${view.columns.map((name) => `<th>${h(name)}</th>`).join('')}</tr>`;
  const rows = items.map(
    ({ sample, caption, tone }) =>
      `<tr${tone ? ` class="${tone}"` : ''}><td class="t">${sample.row}</td><td class="t">${h(className(classes, sample.label))}</td>${notes ? `<td class="t">${caption}</td>` : ''}${sample.features.map((value) => `<td>${h(num(value))}</td>`).join('')}</tr>`,
  );
  return `<div class="scroll"><table class="features">\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
}

/** Two rows side by side: two images, or a two-row table with the differing values marked. */
export function samplePair(a: Sample, b: Sample, view: SampleView, classes: readonly string[], caption: Html): Html {
  if (view.image) {
    const figure = (s: Sample) => sampleFigure({ sample: s, caption: `row ${s.row} · ${h(className(classes, s.label))}` }, view, classes);
    return `<div class="pair">${figure(a)}${figure(b)}<p class="pair-note">${caption}</p></div>`;
  }
  const head = `<tr><th class="t">row</th><th class="t">label</th>${view.columns.map((name) => `<th>${h(name)}</th>`).join('')}</tr>`;
  const row = (s: Sample, other: Sample) =>
    `<tr><td class="t">${s.row}</td><td class="t">${h(className(classes, s.label))}</td>${s.features
      .map((value, i) => `<td${value !== other.features[i] ? ' class="diff"' : ''}>${h(num(value))}</td>`)
      .join('')}</tr>`;
  return `<div class="pair-table"><p class="pair-note">${caption}</p><div class="scroll"><table class="features"><thead>${head}</thead><tbody>${row(a, b)}${row(b, a)}</tbody></table></div></div>`;
}
