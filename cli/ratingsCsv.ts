/**
 * Reads a long-format ratings CSV: a header naming the columns item, annotator and label (any order, any case,
 * other columns ignored), then one row per rating. Simple quoting ("a, b", "say ""hi""") works within a line.
 * Rows are numbered as the file's lines (the header is row 1), so a message points at the line to fix.
 */
import { z } from 'zod';

import type { Rating } from '../core/agreement/index.js';

export class RatingsCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RatingsCsvError';
  }
}

export interface RatingsCsv {
  ratings: Rating[];
  /** The file row of each rating, for messages. */
  rows: number[];
}

const COLUMNS = ['item', 'annotator', 'label'] as const;

const RatingRow = z.object({
  item: z.string().min(1, { error: 'item is empty' }),
  annotator: z.string().min(1, { error: 'annotator is empty' }),
  label: z.string().min(1, { error: 'label is empty' }),
});

/** Splits one line into trimmed cells, unquoting RFC 4180 quoted cells; throws on a broken quote. */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const end = line.indexOf('"', i);
        if (end === -1) throw new Error('a quoted value has no closing quote');
        cell += line.slice(i, end);
        i = end + 1;
        if (line[i] !== '"') break;
        cell += '"';
        i++;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') throw new Error('text after a closing quote');
    } else {
      const end = line.indexOf(',', i);
      cell = (end === -1 ? line.slice(i) : line.slice(i, end)).trim();
      i = end === -1 ? line.length : end;
    }
    cells.push(cell);
    if (i >= line.length) return cells;
    i++; // the comma
  }
}

export function parseRatingsCsv(text: string): RatingsCsv {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const numbered = lines.map((line, i) => ({ line, row: i + 1 })).filter(({ line }) => line.trim() !== '');
  const split = ({ line, row }: { line: string; row: number }): string[] => {
    try {
      return splitCsvLine(line);
    } catch (error) {
      throw new RatingsCsvError(`row ${row}: ${(error as Error).message}`);
    }
  };
  const header = numbered[0];
  if (header === undefined) throw new RatingsCsvError('is empty: expected a header naming the columns item, annotator and label');
  const names = split(header).map((name) => name.toLowerCase());
  const index = Object.fromEntries(
    COLUMNS.map((column) => {
      const at = names.indexOf(column);
      if (at === -1) {
        throw new RatingsCsvError(`row ${header.row}: no column "${column}" (the header must name item, annotator and label; got ${JSON.stringify(header.line.trim())})`);
      }
      if (names.indexOf(column, at + 1) !== -1) throw new RatingsCsvError(`row ${header.row}: the column "${column}" appears twice`);
      return [column, at];
    }),
  ) as Record<(typeof COLUMNS)[number], number>;
  const ratings: Rating[] = [];
  const rows: number[] = [];
  for (const line of numbered.slice(1)) {
    const cells = split(line);
    if (cells.length !== names.length) {
      throw new RatingsCsvError(`row ${line.row}: ${cells.length} values, the header has ${names.length}`);
    }
    const parsed = RatingRow.safeParse({ item: cells[index.item], annotator: cells[index.annotator], label: cells[index.label] });
    if (!parsed.success) throw new RatingsCsvError(`row ${line.row}: ${parsed.error.issues[0]?.message ?? 'not a rating'}`);
    ratings.push(parsed.data);
    rows.push(line.row);
  }
  if (ratings.length === 0) throw new RatingsCsvError('has a header but no ratings');
  return { ratings, rows };
}
