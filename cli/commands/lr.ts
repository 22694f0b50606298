/**
 * `gauntlet lr schedule` prints a one-cycle schedule (PyTorch's OneCycleLR, step for step);
 * `gauntlet lr analyze CURVE` reads an LR range test the way fastai does and says whether to trust it.
 * Every bad input is one line `error: ...` and exit code 2 (a `CliError` that cli/main.ts prints).
 */
import { newTable } from '../table.js';
import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';

import { analyzeLrRangeTest, type LrPoint, type LrRangeTestAnalysis } from '../../core/lr/rangeTest.js';
import { formatLr, renderLrCurveSvg } from '../../core/lr/svg.js';
import { formatOptionProblem, oneCycle, OptionsError, type OneCycleOptions } from '../../core/schedule/oneCycle.js';
import { CliError, ExitCode } from '../errors.js';

/** `maxLr` -> `--max-lr`: problems are reported under the flag the user typed. */
const flag = (option: string): string => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Every problem on one line, each under its flag: `--pct-start: must be in (0, 1) (got 1.5)`. */
function optionsFailure(error: OptionsError): CliError {
  const line = error.problems.map((p) => formatOptionProblem({ ...p, option: flag(p.option) })).join('; ');
  return new CliError(line, ExitCode.BadInput);
}

/** Compact tables: no rule between rows, no colours (output is often piped). */
const TABLE_STYLE = {
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  style: { head: [], border: [] },
};

/** A numeric flag: its number, or the text itself so the validator can say what was wrong with it. */
function numberOrText(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  return Number.isNaN(value) ? text : value;
}

/** Drops the flags the user did not give, so the core's defaults apply. */
function defined(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

const num = (x: number): string => String(Number(x.toPrecision(6)));

// ---------------------------------------------------------------------------------------------------------------
// lr schedule

interface ScheduleFlags {
  maxLr?: string;
  totalSteps?: string;
  epochs?: string;
  stepsPerEpoch?: string;
  pctStart?: string;
  annealStrategy?: string;
  divFactor?: string;
  finalDivFactor?: string;
  threePhase?: boolean;
  cycleMomentum: boolean;
  baseMomentum?: string;
  maxMomentum?: string;
  json?: boolean;
}

function runSchedule(flags: ScheduleFlags): void {
  const options = defined({
    maxLr: numberOrText(flags.maxLr),
    totalSteps: numberOrText(flags.totalSteps),
    epochs: numberOrText(flags.epochs),
    stepsPerEpoch: numberOrText(flags.stepsPerEpoch),
    pctStart: numberOrText(flags.pctStart),
    annealStrategy: flags.annealStrategy,
    divFactor: numberOrText(flags.divFactor),
    finalDivFactor: numberOrText(flags.finalDivFactor),
    threePhase: flags.threePhase,
    cycleMomentum: flags.cycleMomentum,
    baseMomentum: numberOrText(flags.baseMomentum),
    maxMomentum: numberOrText(flags.maxMomentum),
  });
  let schedule;
  try {
    schedule = oneCycle(options as OneCycleOptions);
  } catch (error) {
    if (error instanceof OptionsError) throw optionsFailure(error);
    throw error;
  }
  if (flags.json) {
    console.log(JSON.stringify(schedule));
    return;
  }
  const table = newTable({ head: ['step', 'lr', 'momentum'], ...TABLE_STYLE });
  schedule.lr.forEach((lr, step) => {
    const momentum = schedule.momentum[step];
    table.push([String(step), num(lr), momentum === undefined ? '-' : num(momentum)]);
  });
  console.log(table.toString());
}

// ---------------------------------------------------------------------------------------------------------------
// lr analyze: reading the curve file (JSON array of {lr, loss}, or CSV with an lr,loss header)

/** A loss as files write it: a number, null or "NaN"/"Infinity" (JSON has no NaN), or text in CSV. */
const FileLoss = z.union([z.number(), z.null(), z.enum(['NaN', 'Infinity', '-Infinity'])], {
  error: 'must be a number, null, "NaN", "Infinity" or "-Infinity"',
});
const JsonCurve = z.array(
  z.object({ lr: z.number({ error: 'must be a number' }), loss: FileLoss }, { error: 'must be an object {lr, loss}' }),
  { error: 'must be a JSON array of {lr, loss}' },
);

function lossOf(value: number | null | string): number {
  return value === null ? Number.NaN : Number(value);
}

/** Parses CSV numbers the way Python and JS write them, including nan and ±inf. */
function csvNumber(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  return t === '' ? Number.NaN : Number(t);
}

interface ParsedCurve {
  points: LrPoint[];
  /** Where a field of point i came from, for messages: `line 5: lr` (CSV) or `[3].lr` (JSON). */
  locate: (i: number, field: string) => string;
}

function parseJsonCurve(text: string): ParsedCurve {
  // Python's json.dumps writes bare NaN and Infinity; accept them as the strings the schema knows.
  const patched = text.replace(/([:[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '$1"$2"');
  let data: unknown;
  try {
    data = JSON.parse(patched);
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`);
  }
  const result = JsonCurve.safeParse(data, { reportInput: true });
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new Error(formatOptionProblem({ option: at.replace(/^\./, '') || '(root)', message: issue.message, value: issue.input }));
  }
  return {
    points: result.data.map((p) => ({ lr: p.lr, loss: lossOf(p.loss) })),
    locate: (i, field) => `[${i}]${field === '' ? '' : `.${field}`}`,
  };
}

function parseCsvCurve(text: string): ParsedCurve {
  const lines = text.split(/\r?\n/).map((line, i) => ({ line, number: i + 1 })).filter(({ line }) => line.trim() !== '');
  const header = lines[0];
  if (header === undefined) throw new Error('is empty: expected a JSON array of {lr, loss} or a CSV with an lr,loss header');
  const columns = header.line.split(',').map((c) => c.trim().toLowerCase());
  const lrCol = columns.indexOf('lr');
  const lossCol = columns.indexOf('loss');
  if (lrCol === -1 || lossCol === -1) {
    throw new Error(`line ${header.number}: the header must name the columns lr and loss (got ${JSON.stringify(header.line)})`);
  }
  const numbers: number[] = [];
  const points = lines.slice(1).map(({ line, number }) => {
    const cells = line.split(',');
    if (cells.length !== columns.length) {
      throw new Error(`line ${number}: expected ${columns.length} values like the header (got ${JSON.stringify(line)})`);
    }
    const lrText = cells[lrCol] as string;
    const lossText = cells[lossCol] as string;
    const lr = csvNumber(lrText);
    const loss = csvNumber(lossText);
    if (!Number.isFinite(lr)) throw new Error(`line ${number}: lr: must be a number (got ${JSON.stringify(lrText.trim())})`);
    // NaN from text that is not "nan" is a typo, not a diverged batch.
    if (Number.isNaN(loss) && lossText.trim().toLowerCase() !== 'nan') {
      throw new Error(`line ${number}: loss: must be a number, nan or inf (got ${JSON.stringify(lossText.trim())})`);
    }
    numbers.push(number);
    return { lr, loss };
  });
  return { points, locate: (i, field) => `line ${numbers[i] ?? '?'}${field === '' ? '' : `: ${field}`}` };
}

/** Reads a curve file; every problem becomes a one-line `FILE: problem` with exit code 2. */
export async function readCurveFile(file: string): Promise<ParsedCurve> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, ExitCode.BadInput);
  }
  try {
    return text.trimStart().startsWith('[') || text.trimStart().startsWith('{') ? parseJsonCurve(text) : parseCsvCurve(text);
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`, ExitCode.BadInput);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// lr analyze

interface AnalyzeFlags {
  json?: boolean;
  smooth: boolean;
  svg?: string;
  numIt?: string;
  beta?: string;
  divergeFactor?: string;
}

function printAnalysis(analysis: LrRangeTestAnalysis): void {
  const table = newTable({ head: ['suggestion', 'lr'], ...TABLE_STYLE });
  for (const [name, lr] of Object.entries(analysis.suggestions)) table.push([name, lr === null ? '-' : formatLr(lr)]);
  console.log(table.toString());
  console.log(`${analysis.curve.length} points on the curve; ${analysis.trustworthy ? 'trustworthy' : 'NOT trustworthy:'}`);
  for (const reason of analysis.reasons) console.log(`  - ${reason}`);
}

async function runAnalyze(file: string, flags: AnalyzeFlags): Promise<void> {
  const { points, locate } = await readCurveFile(file);
  let analysis: LrRangeTestAnalysis;
  try {
    const options = defined({
      smooth: flags.smooth,
      numIt: numberOrText(flags.numIt),
      beta: numberOrText(flags.beta),
      divergeFactor: numberOrText(flags.divergeFactor),
    });
    analysis = analyzeLrRangeTest(points, options);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    // A bad point is the file's fault: say where it is. A bad option is the flag's.
    const point = error.problems.find((p) => p.option.startsWith('points'));
    if (point !== undefined) {
      const match = /^points\[(\d+)\]\.?(.*)$/.exec(point.option);
      const at = match ? locate(Number(match[1]), match[2] ?? '') : point.option;
      throw new CliError(`${file}: ${formatOptionProblem({ ...point, option: at })}`, ExitCode.BadInput);
    }
    throw optionsFailure(error);
  }
  if (flags.svg !== undefined) {
    try {
      await writeFile(flags.svg, renderLrCurveSvg(analysis));
    } catch (error) {
      throw new CliError(`${flags.svg}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`, ExitCode.Failed);
    }
  }
  if (flags.json) {
    console.log(JSON.stringify(analysis));
    return;
  }
  printAnalysis(analysis);
  if (flags.svg !== undefined) console.log(`wrote ${flags.svg}`);
}

export function registerLrCommands(program: Command): void {
  const lr = program.command('lr').description('learning-rate tools: one-cycle schedules and LR range tests');

  lr.command('schedule')
    .description("print a one-cycle schedule, step for step as PyTorch's OneCycleLR")
    .option('--max-lr <number>', 'peak learning rate (required)')
    .option('--total-steps <n>', 'steps in the cycle (or give --epochs and --steps-per-epoch)')
    .option('--epochs <n>', 'epochs, with --steps-per-epoch')
    .option('--steps-per-epoch <n>', 'steps per epoch, with --epochs')
    .option('--pct-start <fraction>', 'fraction of the cycle spent raising the lr (default 0.3)')
    .option('--anneal-strategy <cos|linear>', 'annealing shape (default cos)')
    .option('--div-factor <number>', 'initial lr = max lr / this (default 25)')
    .option('--final-div-factor <number>', 'min lr = initial lr / this (default 1e4)')
    .option('--three-phase', 'anneal back to the initial lr, then to the min lr in a third phase')
    .option('--no-cycle-momentum', 'leave momentum alone (the momentum column shows -)')
    .option('--base-momentum <number>', 'momentum at the lr peak (default 0.85)')
    .option('--max-momentum <number>', 'momentum at the start and end (default 0.95)')
    .option('--json', 'print {"lr": [...], "momentum": [...]}')
    .action((flags: ScheduleFlags) => runSchedule(flags));

  lr.command('analyze')
    .description("analyse an LR range test as fastai's lr_find does: suggestions and whether to trust them")
    .argument('<curve>', 'JSON array of {lr, loss}, or CSV with an lr,loss header')
    .option('--json', 'print the whole analysis as JSON')
    .option('--no-smooth', 'the losses are smoothed already')
    .option('--svg <file>', 'also draw the curve and the suggestions to this SVG file')
    .option('--num-it <n>', 'iterations the test planned (default: the number of points)')
    .option('--beta <number>', 'smoothing factor (default 0.98)')
    .option('--diverge-factor <number>', 'stop where the smoothed loss passes this × the best (default 4)')
    .action((file: string, flags: AnalyzeFlags) => runAnalyze(file, flags));
}
