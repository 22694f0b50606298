/**
 * What `gauntlet label pull` writes for a person labeling a leased batch: `sheet.html` to look at, `items/<id>.png`
 * for image data, and `labels.csv` to fill in and hand back with `gauntlet label submit`. Pure: the caller decides
 * where the files go, so the rendering is testable without a run, a lease or a disk.
 */
import { z } from 'zod';

import { itemPng } from './itemPng.js';
import { sheetHtml } from './sheetHtml.js';
import { itemImagePath, type SheetInput } from './sheetInput.js';

export { itemImagePath, type ItemView, type SheetInput } from './sheetInput.js';

export class SheetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SheetError';
  }
}

const viewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('image'), width: z.number().int().positive(), height: z.number().int().positive(), maxValue: z.number().positive() }),
  z.object({ kind: z.literal('table') }),
]);

// The batch comes from storage through the CLI: checked here so a bad batch fails with one line, not a broken page.
const inputSchema = z
  .object({
    run: z.string().min(1),
    batch: z.number().int().nonnegative(),
    annotator: z.string().min(1),
    leaseExpiresAt: z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'not a date'),
    classes: z.array(z.string().min(1)).min(1),
    items: z.array(z.object({ item: z.number().int().nonnegative(), features: z.record(z.string(), z.number()) })).min(1),
    view: viewSchema,
  })
  .superRefine((input, ctx) => {
    const seen = new Set<number>();
    input.items.forEach(({ item, features }, index) => {
      if (seen.has(item)) ctx.addIssue({ code: 'custom', path: ['items', index, 'item'], message: `item ${item} appears twice` });
      seen.add(item);
      const count = Object.keys(features).length;
      if (input.view.kind === 'image' && count !== input.view.width * input.view.height) {
        const { width, height } = input.view;
        ctx.addIssue({ code: 'custom', path: ['items', index, 'features'], message: `item ${item} has ${count} features, a ${width}×${height} image needs ${width * height}` });
      }
    });
    if (new Set(input.classes).size !== input.classes.length) ctx.addIssue({ code: 'custom', path: ['classes'], message: 'classes repeat' });
  });

/** Relative file name → bytes: `sheet.html`, `labels.csv` and, for image views, `items/<item>.png`. */
export function renderSheetFiles(input: SheetInput): Map<string, Buffer> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SheetError(`cannot draw the labeling sheet: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'invalid input'}`);
  }
  const files = new Map<string, Buffer>();
  const { view } = input;
  if (view.kind === 'image') {
    for (const { item, features } of input.items) files.set(itemImagePath(item), itemPng(Object.values(features), view.width, view.height, view.maxValue));
  }
  files.set('sheet.html', Buffer.from(sheetHtml(input), 'utf8'));
  files.set('labels.csv', Buffer.from(labelsCsvTemplate(input.items.map(({ item }) => item)), 'utf8'));
  return files;
}

/** The file the person fills in: one row per item in the sheet's order, the label left empty. */
export function labelsCsvTemplate(items: readonly number[]): string {
  return ['item,label', ...items.map((item) => `${item},`)].join('\n') + '\n';
}
