/**
 * `gauntlet labels ...`: tools for human labels. `labels agreement FILE.csv` reports how far annotators agree
 * (Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha, raw agreement, the confusions between labels and
 * the most disputed items) from a long-format CSV with one row per rating. Bad input: one line, exit code 2.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

import { agreementReport, AgreementInputError, LEVELS, type AgreementReport, type Level } from '../../core/agreement/index.js';
import { CliError, ExitCode } from '../errors.js';
import { parseRatingsCsv, RatingsCsvError, type RatingsCsv } from '../ratingsCsv.js';
import { newTable } from '../table.js';

/** Compact tables: no rule between rows, no colours (output is often piped). */
const TABLE_STYLE = {
  chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  style: { head: [], border: [] },
};

const LevelFlag = z.enum(LEVELS, { error: (issue) => `--level: must be nominal, ordinal or interval (got ${JSON.stringify(issue.input)})` });

const fmt = (x: number | null): string => (x === null ? '-' : x.toFixed(3));

async function readRatings(file: string): Promise<RatingsCsv> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, ExitCode.BadInput);
  }
  try {
    return parseRatingsCsv(text);
  } catch (error) {
    if (error instanceof RatingsCsvError) throw new CliError(`${file}: ${error.message}`, ExitCode.BadInput);
    throw error;
  }
}

/** The core names ratings by index; the user knows rows, and --level rather than "level". */
function inputFailure(file: string, error: AgreementInputError, rows: readonly number[], level: Level): CliError {
  const row = (index: number): string => `row ${rows[index] ?? '?'}`;
  const detail =
    error.kind === 'not-a-number'
      ? `label ${JSON.stringify(error.value)} is not a number (--level ${level} needs numeric labels)`
      : error.kind === 'duplicate' && error.firstIndex !== undefined
        ? `${error.problem} (first at ${row(error.firstIndex)})`
        : error.problem;
  return new CliError(`${file}: ${row(error.index)}: ${detail}`, ExitCode.BadInput);
}

function printReport(report: AgreementReport, level: Level): void {
  console.log(`${report.ratings} ratings of ${report.items} items by ${report.annotators} annotators (level ${level})`);
  const summary = newTable({ head: ['statistic', 'value'], ...TABLE_STYLE });
  summary.push(['percent agreement', fmt(report.percentAgreement)]);
  summary.push([`Krippendorff's alpha (${level})`, fmt(report.krippendorffAlpha)]);
  summary.push(["Fleiss' kappa", fmt(report.fleissKappa)]);
  console.log(summary.toString());

  if (report.cohenKappa.length > 0) {
    const pairs = newTable({ head: ['a', 'b', 'items', 'kappa', 'linear', 'quadratic'], ...TABLE_STYLE });
    for (const p of report.cohenKappa) pairs.push([p.a, p.b, String(p.n), fmt(p.kappa), fmt(p.linear), fmt(p.quadratic)]);
    console.log("Cohen's kappa per pair (over the items both rated)");
    console.log(pairs.toString());
  }

  const { labels, matrix } = report.disagreement;
  const confusions = newTable({ head: ['', ...labels], ...TABLE_STYLE });
  labels.forEach((label, i) => confusions.push([label, ...(matrix[i] ?? []).map(String)]));
  console.log('rating pairs by label (both orders; the diagonal agrees)');
  console.log(confusions.toString());

  if (report.mostDisputed.length > 0) {
    const disputed = newTable({ head: ['item', 'agreement', 'ratings'], ...TABLE_STYLE });
    for (const d of report.mostDisputed) {
      disputed.push([d.item, fmt(d.agreement), Object.entries(d.ratings).map(([a, label]) => `${a}=${label}`).join(' ')]);
    }
    console.log('most disputed items');
    console.log(disputed.toString());
  }
  const values = [report.percentAgreement, report.krippendorffAlpha, report.fleissKappa, ...report.cohenKappa.flatMap((p) => [p.kappa, p.linear, p.quadratic])];
  if (values.includes(null)) {
    console.log('- : undefined (too few ratings, one label only, unequal ratings per item for Fleiss; weighted kappas need --level ordinal or interval)');
  }
}

interface AgreementFlags {
  level: string;
  json?: boolean;
}

async function runAgreement(file: string, flags: AgreementFlags): Promise<void> {
  const parsed = LevelFlag.safeParse(flags.level);
  if (!parsed.success) throw new CliError(parsed.error.issues[0]?.message ?? '--level: invalid', ExitCode.BadInput);
  const level = parsed.data;
  const { ratings, rows } = await readRatings(file);
  let report: AgreementReport;
  try {
    report = agreementReport(ratings, level);
  } catch (error) {
    if (error instanceof AgreementInputError) throw inputFailure(file, error, rows, level);
    throw error;
  }
  if (flags.json) {
    console.log(JSON.stringify(report));
    return;
  }
  printReport(report, level);
}

export function registerLabelsCommands(program: Command): void {
  const labels = program.command('labels').description('human labels: agreement between annotators');

  labels
    .command('agreement')
    .description("inter-annotator agreement: Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha, disputed items")
    .argument('<file>', 'CSV with the columns item, annotator, label (one row per rating; other columns ignored)')
    .option('--level <level>', 'nominal | ordinal | interval (ordinal and interval need numeric labels)', 'nominal')
    .option('--json', 'print the report as JSON')
    .action((file: string, flags: AgreementFlags) => runAgreement(file, flags));
}
