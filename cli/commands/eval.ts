/**
 * `gauntlet eval ...`: evaluation statistics without a run.
 *   eval interval --correct K --total N [--method wilson|clopper-pearson|beta] [--confidence 0.95] [--json]
 *   eval compare A.csv B.csv --labels Y.csv [--json]: accuracy of two models on the same rows and McNemar's test.
 * Prediction files have the columns id,prediction and the labels file id,label (any order and case, other columns
 * ignored); rows are matched by id. Bad input: one line naming the flag and value, or the file and row; exit 2.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

import { alignById, discordantPairs, IdMismatchError, listIds, mcnemar, MCNEMAR_EXACT_BELOW, proportionInterval, type Interval } from '../../core/eval/index.js';
import { CliError, ExitCode } from '../errors.js';
import { splitCsvLine } from '../ratingsCsv.js';

const bad = (message: string): CliError => new CliError(message, ExitCode.BadInput);

/** The first issue's message as a CliError: the schemas below write messages that name the flag. */
function parseFlag<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw bad(parsed.error.issues[0]?.message ?? 'invalid option');
  return parsed.data;
}

const shown = (input: unknown): string => JSON.stringify(input) ?? String(input);

const wholeNumber = (flag: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${flag}: required` : `${flag}: must be a whole number`) })
    .regex(/^\d+$/, { error: (issue) => `${flag}: must be a whole number >= 0 (got ${shown(issue.input)})` })
    .transform(Number);

const Confidence = z
  .string()
  .regex(/^(\d+\.?\d*|\.\d+)$/, { error: (issue) => `--confidence: must be a number between 0 and 1, exclusive (got ${shown(issue.input)})` })
  .transform(Number)
  .refine((x) => x > 0 && x < 1, { error: (issue) => `--confidence: must be between 0 and 1, exclusive (got ${shown(issue.input)})` });

/** `beta` is statsmodels' name for Clopper-Pearson. */
const Method = z
  .enum(['wilson', 'clopper-pearson', 'beta'], { error: (issue) => `--method: must be wilson or clopper-pearson (alias beta) (got ${shown(issue.input)})` })
  .transform((m) => (m === 'beta' ? 'clopper-pearson' : m));

const LabelsFlag = z.string({ error: '--labels: required (the CSV with the columns id and label)' }).min(1, { error: '--labels: required (the CSV with the columns id and label)' });

/** Short and exact enough to read: whole numbers as they are, else 4 decimals, or 3 significant digits below 0.001. */
function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(4);
}

interface IntervalFlags {
  correct?: string;
  total?: string;
  method: string;
  confidence: string;
  json?: boolean;
}

function runInterval(flags: IntervalFlags): void {
  const correct = parseFlag(wholeNumber('--correct'), flags.correct);
  const total = parseFlag(wholeNumber('--total'), flags.total);
  const method = parseFlag(Method, flags.method);
  const confidence = parseFlag(Confidence, flags.confidence);
  if (total < 1) throw bad('--total: must be at least 1 (got 0)');
  if (correct > total) throw bad(`--correct: ${correct} is more than --total ${total}`);
  const interval: Interval = proportionInterval(correct, total, { method, confidence });
  if (flags.json) {
    console.log(JSON.stringify(interval));
    return;
  }
  const name = method === 'wilson' ? 'Wilson' : 'Clopper-Pearson';
  console.log(`${correct} of ${total}: ${fmt(interval.estimate)}, ${+(confidence * 100).toFixed(6)}% ${name} interval ${fmt(interval.low)} to ${fmt(interval.high)}`);
}

/** id -> value from a CSV with the columns id and `column`; duplicates and empty cells are errors naming the row. */
async function readIdCsv(file: string, column: 'prediction' | 'label'): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw bad(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((line, i) => ({ line, row: i + 1 })).filter(({ line }) => line.trim() !== '');
  const split = ({ line, row }: { line: string; row: number }): string[] => {
    try {
      return splitCsvLine(line);
    } catch (error) {
      throw bad(`${file}: row ${row}: ${(error as Error).message}`);
    }
  };
  const header = lines[0];
  if (header === undefined) throw bad(`${file}: is empty: expected a header naming the columns id and ${column}`);
  const names = split(header).map((name) => name.toLowerCase());
  const at = (name: string): number => {
    const index = names.indexOf(name);
    if (index === -1) throw bad(`${file}: row ${header.row}: no column "${name}" (the header must name id and ${column}; got ${JSON.stringify(header.line.trim())})`);
    if (names.indexOf(name, index + 1) !== -1) throw bad(`${file}: row ${header.row}: the column "${name}" appears twice`);
    return index;
  };
  const idAt = at('id');
  const valueAt = at(column);
  const values = new Map<string, string>();
  const firstRow = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const cells = split(line);
    if (cells.length !== names.length) throw bad(`${file}: row ${line.row}: ${cells.length} values, the header has ${names.length}`);
    const id = cells[idAt] as string;
    const value = cells[valueAt] as string;
    if (id === '') throw bad(`${file}: row ${line.row}: id is empty`);
    if (value === '') throw bad(`${file}: row ${line.row}: ${column} is empty`);
    const first = firstRow.get(id);
    if (first !== undefined) throw bad(`${file}: row ${line.row}: id ${JSON.stringify(id)} appears twice (first at row ${first})`);
    firstRow.set(id, line.row);
    values.set(id, value);
  }
  if (values.size === 0) throw bad(`${file}: has a header but no rows`);
  return values;
}

function align(labelsFile: string, labels: Map<string, string>, predictionsFile: string, predictions: Map<string, string>): { labels: string[]; predictions: string[] } {
  try {
    return alignById(labels, predictions);
  } catch (error) {
    if (!(error instanceof IdMismatchError)) throw error;
    const parts = [
      error.notInLabels.length ? `${error.notInLabels.length} id(s) in ${predictionsFile} are not in ${labelsFile}: ${listIds(error.notInLabels)}` : '',
      error.notInPredictions.length ? `${error.notInPredictions.length} id(s) in ${labelsFile} are not in ${predictionsFile}: ${listIds(error.notInPredictions)}` : '',
    ];
    throw bad(`ids differ: ${parts.filter(Boolean).join('; ')}`);
  }
}

interface CompareFlags {
  labels?: string;
  json?: boolean;
}

async function runCompare(fileA: string, fileB: string, flags: CompareFlags): Promise<void> {
  const labelsFile = parseFlag(LabelsFlag, flags.labels);
  const [labels, a, b] = await Promise.all([readIdCsv(labelsFile, 'label'), readIdCsv(fileA, 'prediction'), readIdCsv(fileB, 'prediction')]);
  const alignedA = align(labelsFile, labels, fileA, a);
  const alignedB = align(labelsFile, labels, fileB, b);
  const pairs = discordantPairs(alignedA.labels, alignedA.predictions, alignedB.predictions);
  const test = mcnemar(pairs.b, pairs.c);
  const result = { n: pairs.n, accuracyA: pairs.correctA / pairs.n, accuracyB: pairs.correctB / pairs.n, b: pairs.b, c: pairs.c, mcnemar: test };
  if (flags.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`${pairs.n} rows matched by id`);
  console.log(`A ${fileA}: accuracy ${fmt(result.accuracyA)} (${pairs.correctA} of ${pairs.n})`);
  console.log(`B ${fileB}: accuracy ${fmt(result.accuracyB)} (${pairs.correctB} of ${pairs.n})`);
  console.log(`rows only A got right (b): ${pairs.b}; rows only B got right (c): ${pairs.c}`);
  const kind = test.exact ? `exact binomial, b + c < ${MCNEMAR_EXACT_BELOW}` : 'chi-square with continuity correction';
  console.log(`McNemar (${kind}): statistic ${fmt(test.statistic)}, p = ${fmt(test.pValue)}`);
  console.log(test.pValue < 0.05 ? 'the models differ at the 5% level' : 'no evidence at the 5% level that the models differ');
}

export function registerEvalCommands(program: Command): void {
  const evaluation = program.command('eval').description('evaluation statistics: intervals for a proportion, two models compared');

  evaluation
    .command('interval')
    .description('confidence interval for a proportion (e.g. accuracy: correct of total)')
    .option('--correct <k>', 'number of successes (rows right)')
    .option('--total <n>', 'number of trials (rows)')
    .option('--method <method>', 'wilson | clopper-pearson (alias beta)', 'wilson')
    .option('--confidence <c>', 'confidence level, between 0 and 1', '0.95')
    .option('--json', 'print {"estimate", "low", "high", "method"} as JSON')
    .action((flags: IntervalFlags) => runInterval(flags));

  evaluation
    .command('compare')
    .description("two models on the same rows: accuracies and McNemar's test")
    .argument('<a>', 'CSV of model A with the columns id, prediction')
    .argument('<b>', 'CSV of model B with the columns id, prediction')
    .option('--labels <file>', 'CSV of the true labels with the columns id, label')
    .option('--json', 'print the comparison as JSON')
    .action((a: string, b: string, flags: CompareFlags) => runCompare(a, b, flags));
}
