/**
 * `gauntlet data check FILE.csv --label COLUMN [--group COLUMN] [--json]`: the schema, duplicates and leakage checks
 * on any CSV, with the default `checks:` spec and no split (duplicates within the data set; leakage cross-validated
 * over all rows). Exit 0 when no check fails, 4 when one does, 2 for bad arguments or an unreadable file.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';

import type { CheckResult } from '../../core/data/check.js';
import { runDataChecks } from '../../core/data/checks/index.js';
import type { DuplicatePair } from '../../core/data/checks/duplicates.js';
import { DataTableError, parseDataTable, type DataTable } from '../../core/data/table.js';
import { ChecksSpec } from '../../core/spec/checks.js';
import { CliError, ExitCode } from '../errors.js';
import { newTable } from '../table.js';

/** Compact tables: no rule between rows (output is often piped). */
const TABLE_STYLE = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };
const LISTED_PAIRS = 10;

interface DataCheckFlags {
  label: string;
  group?: string;
  json?: boolean;
}

async function readTable(file: string, flags: DataCheckFlags): Promise<DataTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, ExitCode.BadInput);
  }
  try {
    return parseDataTable(text, { label: flags.label, ...(flags.group !== undefined ? { group: flags.group } : {}) });
  } catch (error) {
    if (!(error instanceof DataTableError)) throw error;
    // A column the user named is their flag's problem; anything else is the file's.
    throw new CliError(error.field ? `--${error.field}: ${error.message}` : `${file}: ${error.message}`, ExitCode.BadInput);
  }
}

function printResults(file: string, table: DataTable, results: readonly CheckResult[]): void {
  const group = table.groupName ? `, group ${JSON.stringify(table.groupName)}` : '';
  console.log(`${file}: ${table.rows} rows, ${table.featureNames.length} features, label ${JSON.stringify(table.labelName)}${group}`);
  const checks = newTable({ head: ['check', 'verdict', 'message'], wordWrap: true, colWidths: [12, 9, 90], ...TABLE_STYLE });
  for (const r of results) checks.push([r.name, r.verdict, r.message]);
  console.log(checks.toString());

  const duplicates = results.find((r) => r.name === 'duplicates');
  const pairs = (duplicates?.details.pairs ?? []) as DuplicatePair[];
  if (duplicates && duplicates.verdict !== 'pass' && pairs.length > 0) {
    const total = Number(duplicates.details.total ?? pairs.length);
    const list = newTable({ head: ['kind', 'lines', ...(table.groups ? ['groups'] : []), 'distance'], ...TABLE_STYLE });
    for (const p of pairs.slice(0, LISTED_PAIRS)) {
      list.push([p.kind, `${p.lines[0]} and ${p.lines[1]}`, ...(p.groups ? [`${p.groups[0]} / ${p.groups[1]}`] : []), p.distance.toFixed(3)]);
    }
    console.log(`duplicate pairs (${Math.min(LISTED_PAIRS, pairs.length)} of ${total}; --json lists ${pairs.length})`);
    console.log(list.toString());
  }
  const failed = results.filter((r) => r.verdict === 'fail').map((r) => r.name);
  console.log(failed.length > 0 ? `failed: ${failed.join(', ')}` : 'no check failed');
}

async function runDataCheck(file: string, flags: DataCheckFlags): Promise<void> {
  const table = await readTable(file, flags);
  const results = runDataChecks(table, null, ChecksSpec.parse({}));
  if (flags.json) console.log(JSON.stringify({ rows: table.rows, checks: results }));
  else printResults(file, table, results);
  // Not an error: the checks ran and said no. The code tells scripts; the output has already said why.
  if (results.some((r) => r.verdict === 'fail')) process.exitCode = ExitCode.ChecksFailed;
}

export function registerDataCheckCommand(data: Command): void {
  data
    .command('check')
    .description('the data checks on a CSV: schema, exact and near duplicates, target leakage (exit 4 when one fails)')
    .argument('<file>', 'CSV with a header row, numeric feature columns and a label column')
    .requiredOption('--label <column>', 'the label column (any values: each is a class)')
    .option('--group <column>', 'a group column (source image, patient): not a feature; copies within one group are expected')
    .option('--json', 'print {"rows": N, "checks": [...]} as JSON')
    .action((file: string, flags: DataCheckFlags) => runDataCheck(file, flags));
}
