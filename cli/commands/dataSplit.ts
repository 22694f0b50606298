/**
 * `gauntlet data split FILE.csv --label COLUMN [--group COLUMN] [--valid N --test N | --folds K] [--seed N] [--json]`:
 * the pipeline's group-aware, stratified split on any CSV, without a run. --json prints one assignment per data row
 * in file order ({"assignments": ["train", …]} or, with --folds, {"folds": [0, …]}) for other tools to use; without
 * it, sizes, group counts and class shares per split. Bad input: one line naming the option, exit code 2.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

import { CsvError, readCsvColumns } from '../../core/csv.js';
import { groupHoldout, groupKFold, summarizeSplit, type SplitSummary } from '../../core/split/index.js';
import { CliError, ExitCode } from '../errors.js';
import { newTable } from '../table.js';

/** The pipeline spec's defaults (data.split). */
const DEFAULT_FRACTION = 0.15;
/** Wider tables stop being readable; past this many classes the summary gives only the largest gap. */
const MAX_CLASS_COLUMNS = 12;
const TABLE_STYLE = {
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  style: { head: [], border: [] },
};

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** A flag's text that must be a number passing `ok`; the message names the flag, the rule and what was given. */
const numberFlag = (flag: string, rule: string, ok: (x: number) => boolean) =>
  z
    .string()
    .refine((text) => NUMBER.test(text.trim()) && ok(Number(text)), { error: (issue) => `${flag}: must be ${rule} (got ${JSON.stringify(issue.input)})` })
    .transform(Number);

const Flags = z
  .object({
    label: z.string({ error: '--label: name the label column (--label COLUMN)' }).min(1, { error: '--label: name the label column (--label COLUMN)' }),
    group: z.string().min(1, { error: '--group: name the group column (--group COLUMN)' }).optional(),
    valid: numberFlag('--valid', 'a fraction between 0 and 1, exclusive', (x) => x > 0 && x < 1).optional(),
    test: numberFlag('--test', 'a fraction between 0 and 1, exclusive', (x) => x > 0 && x < 1).optional(),
    folds: numberFlag('--folds', 'a whole number of at least 2', (x) => Number.isInteger(x) && x >= 2).optional(),
    seed: numberFlag('--seed', 'a whole number from 0 to 4294967295', (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff).default(0),
    json: z.boolean().optional(),
  })
  .superRefine((flags, ctx) => {
    // Zod runs this even when a flag failed its own check; that flag's message is the one to show.
    if (ctx.issues.length > 0 || [flags.valid, flags.test, flags.folds].some((x) => x !== undefined && typeof x !== 'number')) return;
    if (flags.folds !== undefined) {
      const other = flags.valid !== undefined ? `--valid ${flags.valid}` : flags.test !== undefined ? `--test ${flags.test}` : null;
      if (other) {
        ctx.addIssue({ code: 'custom', message: `--folds ${flags.folds} and ${other} cannot be combined: --folds puts every row in a fold, --valid and --test make one holdout split` });
      }
      return;
    }
    const valid = flags.valid ?? DEFAULT_FRACTION;
    const test = flags.test ?? DEFAULT_FRACTION;
    if (!(valid + test < 0.9)) {
      ctx.addIssue({ code: 'custom', message: `--valid ${valid} + --test ${test} = ${Number((valid + test).toFixed(6))}: must be below 0.9, leaving at least 10% of the rows for training` });
    }
  });
type Flags = z.infer<typeof Flags>;

interface RawFlags {
  label?: string;
  group?: string;
  valid?: string;
  test?: string;
  folds?: string;
  seed?: string;
  json?: boolean;
}

function parseFlags(raw: RawFlags): Flags {
  const parsed = Flags.safeParse(raw);
  if (!parsed.success) throw new CliError(parsed.error.issues[0]?.message ?? 'invalid options', ExitCode.BadInput);
  return parsed.data;
}

async function readColumns(file: string, flags: Flags): Promise<{ labels: string[]; groups: string[] | null }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, ExitCode.BadInput);
  }
  const columns: Record<string, string> = { '--label': flags.label };
  if (flags.group !== undefined) columns['--group'] = flags.group;
  try {
    const { values } = readCsvColumns(text.replace(/^\uFEFF/, ''), columns);
    return { labels: values[flags.label] ?? [], groups: flags.group === undefined ? null : (values[flags.group] ?? []) };
  } catch (error) {
    if (error instanceof CsvError) throw new CliError(`${file}: ${error.message}`, ExitCode.BadInput);
    throw error;
  }
}

const percent = (part: number, whole: number): string => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

function printSummary(file: string, summary: SplitSummary, flags: Flags, groupText: string): void {
  const { classes, all, parts } = summary;
  console.log(`${file}: ${all.rows} rows, ${classes.length} classes, ${groupText}; seed ${flags.seed}`);
  const perClass = classes.length <= MAX_CLASS_COLUMNS;
  const table = newTable({ head: ['split', 'rows', 'share', 'groups', ...(perClass ? classes : [])], ...TABLE_STYLE });
  for (const part of [all, ...parts]) {
    const shares = perClass ? part.counts.map((count) => percent(count, part.rows)) : [];
    table.push([part.name, String(part.rows), percent(part.rows, all.rows), String(part.groups), ...shares]);
  }
  console.log(table.toString());
  let gap = { points: 0, label: '', part: '' };
  for (const part of parts) {
    part.counts.forEach((count, c) => {
      const points = part.rows === 0 ? 0 : Math.abs((100 * count) / part.rows - (100 * (all.counts[c] ?? 0)) / all.rows);
      if (points > gap.points) gap = { points, label: classes[c] ?? '', part: part.name };
    });
  }
  console.log(`largest gap between a class's share in a split and overall: ${gap.points.toFixed(1)} points${gap.part ? ` (class ${gap.label} in ${gap.part})` : ''}`);
}

async function runSplit(file: string, raw: RawFlags): Promise<void> {
  const flags = parseFlags(raw);
  const { labels, groups } = await readColumns(file, flags);
  const groupCount = groups === null ? labels.length : new Set(groups).size;
  const groupText = groups === null ? `${groupCount} groups (no --group: each row is its own)` : `${groupCount} groups in column ${JSON.stringify(flags.group)}`;
  const units = groups === null ? `${groupCount} rows` : `${groupCount} groups (column ${JSON.stringify(flags.group)})`;

  if (flags.folds !== undefined) {
    if (flags.folds > groupCount) throw new CliError(`--folds ${flags.folds}: only ${units}, and each fold needs at least one whole group`, ExitCode.BadInput);
    const folds = groupKFold(labels, groups, { folds: flags.folds, seed: flags.seed, stratify: true });
    if (flags.json) {
      console.log(JSON.stringify({ folds }));
      return;
    }
    const parts = Array.from({ length: flags.folds }, (_, i) => ({ name: `fold ${i}`, rows: folds.flatMap((fold, row) => (fold === i ? [row] : [])) }));
    printSummary(file, summarizeSplit(labels, groups, parts), flags, groupText);
    return;
  }

  const valid = flags.valid ?? DEFAULT_FRACTION;
  const test = flags.test ?? DEFAULT_FRACTION;
  if (groupCount < 3) throw new CliError(`only ${units}: train, valid and test need at least one whole group each`, ExitCode.BadInput);
  const manifest = groupHoldout(labels, groups, { valid, test, seed: flags.seed, stratify: true });
  if (flags.json) {
    const assignments = new Array<string>(labels.length).fill('train');
    for (const row of manifest.valid) assignments[row] = 'valid';
    for (const row of manifest.test) assignments[row] = 'test';
    console.log(JSON.stringify({ assignments }));
    return;
  }
  const parts = [
    { name: 'train', rows: manifest.train },
    { name: 'valid', rows: manifest.valid },
    { name: 'test', rows: manifest.test },
  ];
  printSummary(file, summarizeSplit(labels, groups, parts), flags, groupText);
}

export function registerDataSplitCommand(data: Command): void {
  data
    .command('split')
    .description('group-aware, stratified split of a CSV: train/valid/test, or k folds; groups never straddle two splits')
    .argument('<file>', 'CSV with a header row')
    .option('--label <column>', 'the label column (classes to stratify by)')
    .option('--group <column>', 'rows with the same value here stay together (a patient, a session); default: every row alone')
    .option('--valid <fraction>', `share of the rows for validation (default ${DEFAULT_FRACTION})`)
    .option('--test <fraction>', `share of the rows for test (default ${DEFAULT_FRACTION})`)
    .option('--folds <k>', 'k-fold mode: a 0-based fold for every row instead of train/valid/test')
    .option('--seed <n>', 'seed for the order of alike groups (default 0)')
    .option('--json', 'print one assignment per data row, in file order')
    .action((file: string, flags: RawFlags) => runSplit(file, flags));
}
