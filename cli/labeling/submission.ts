/**
 * Reads the labels a person hands back: the `labels.csv` that `gauntlet label pull` wrote (`item,label`), or a
 * JSON array of `{item, label}`. Only the file's shape is checked here; whether the labels fit the batch (classes,
 * missing or extra items) is the workflow's update validator's job, so both paths give the same answers.
 */
import { extname } from 'node:path';
import { z } from 'zod';
import type { SubmittedLabel } from '../../core/labeling/queue.js';
import { splitCsvLine } from '../ratingsCsv.js';

const ItemId = z.coerce.number().int().min(0);
const JsonLabels = z.array(z.strictObject({ item: z.number().int().min(0), label: z.string() }));

/** The labels, or one line per problem with the file (row numbers are the file's lines, header = 1). */
export function parseSubmission(text: string, file: string): { labels: SubmittedLabel[]; problems: string[] } {
  if (extname(file).toLowerCase() === '.json') {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return { labels: [], problems: [`not JSON: ${(error as Error).message}`] };
    }
    const parsed = JsonLabels.safeParse(raw);
    if (parsed.success) return { labels: parsed.data, problems: [] };
    return { labels: [], problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '<file>'}: ${issue.message}`) };
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((name) => name.toLowerCase());
  const itemColumn = header.indexOf('item');
  const labelColumn = header.indexOf('label');
  if (itemColumn < 0 || labelColumn < 0) return { labels: [], problems: [`row 1: the header must name the columns item and label (got ${JSON.stringify(lines[0] ?? '')})`] };
  const labels: SubmittedLabel[] = [];
  const problems: string[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = splitCsvLine(line);
    const item = ItemId.safeParse(cells[itemColumn] === '' ? undefined : cells[itemColumn]);
    if (!item.success) problems.push(`row ${i + 2}: item ${JSON.stringify(cells[itemColumn] ?? '')} is not an item id`);
    else labels.push({ item: item.data, label: cells[labelColumn] ?? '' });
  });
  return { labels, problems };
}
