/**
 * What a labeling sheet is drawn from, and where its images go: shared by sheet.ts (the files) and sheetHtml.ts (the
 * page) in a module of its own, so neither imports the other back.
 */

export type ItemView = { kind: 'image'; width: number; height: number; maxValue: number } | { kind: 'table' };

export interface SheetInput {
  run: string;
  batch: number;
  annotator: string;
  /** ISO 8601; shown to the person in UTC. */
  leaseExpiresAt: string;
  classes: string[];
  /**
   * For image views the features are the pixels in row-major order, in the record's key order. (JavaScript lists
   * integer-like keys such as "0"…"63" in ascending numeric order whatever the insertion order, which is row-major
   * order again.)
   */
  items: { item: number; features: Record<string, number> }[];
  view: ItemView;
}

/** Relative path of an item's image, as sheet.ts writes it and sheet.html links it. */
export function itemImagePath(item: number): string {
  return `items/${item}.png`;
}
