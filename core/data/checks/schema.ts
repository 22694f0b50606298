/**
 * The schema check: every feature a finite number of its declared type and range, no constant column (a warning by
 * default: image borders often are constant), every label present and among the declared classes, and every class
 * with at least `minClassShare` of the rows. The split plays no part: the whole data set must fit the schema.
 */
import type { z } from 'zod';

import type { CheckResult, Verdict } from '../check.js';
import { worstVerdict } from '../check.js';
import { classCounts, classOrder } from '../classes.js';
import type { SplitAssignment } from '../membership.js';
import type { SchemaCheckSpec } from '../../spec/checks.js';
import type { BadCell, DataTable } from '../table.js';

export interface SchemaOptions extends z.output<typeof SchemaCheckSpec> {
  /** The allowed label values (in pipelines "0"…"K-1"); without it any label is a class. */
  classes?: readonly string[];
}

const MAX_LISTED = 20;
const MAX_EXAMPLES = 5;

interface ValueProblem {
  column: string;
  count: number;
  examples: BadCell[];
}

/** A finding: the verdict it gives and the words for the message. */
interface Finding {
  verdict: Verdict;
  text: string;
}

const pct = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

function scanValues(table: DataTable, f: number, bad: (v: number) => boolean): ValueProblem | null {
  const values = table.features[f] as Float64Array;
  let count = 0;
  const examples: BadCell[] = [];
  values.forEach((v, row) => {
    if (Number.isNaN(v) || !bad(v)) return;
    count++;
    if (examples.length < MAX_EXAMPLES) examples.push({ row, line: table.lines[row] ?? row + 2, value: String(v) });
  });
  return count === 0 ? null : { column: table.featureNames[f] as string, count, examples };
}

function constantValue(values: Float64Array): number | null {
  let first: number | null = null;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (first === null) first = v;
    else if (v !== first) return null;
  }
  return first;
}

function lineOf(table: DataTable, row: number): number {
  return table.lines[row] ?? row + 2;
}

export function schemaCheck(table: DataTable, _split: SplitAssignment | null, options: SchemaOptions): CheckResult {
  const findings: Finding[] = [];
  const fail = (text: string): void => void findings.push({ verdict: 'fail', text });

  const declaredMissing = Object.keys(options.features).filter((name) => !table.featureNames.includes(name));
  if (declaredMissing.length > 0) {
    const names = declaredMissing.map((n) => JSON.stringify(n)).join(', ');
    fail(declaredMissing.length === 1 ? `declared feature ${names} is not a feature column of the data` : `declared features ${names} are not feature columns of the data`);
  }

  const badCells = Object.entries(table.problems).map(([column, p]) => ({ column, ...p }));
  for (const b of badCells.slice(0, 3)) {
    const parts = [b.missing > 0 ? plural(b.missing, 'missing value') : '', b.nonNumeric > 0 ? plural(b.nonNumeric, 'non-numeric value') : ''];
    fail(`column ${b.column}: ${parts.filter(Boolean).join(' and ')} (first on line ${b.examples[0]?.line ?? '?'})`);
  }
  if (badCells.length > 3) fail(`${badCells.length - 3} more columns with missing or non-numeric values`);

  const notIntegers: ValueProblem[] = [];
  const outOfRange: (ValueProblem & { min?: number; max?: number })[] = [];
  for (const [column, declared] of Object.entries(options.features)) {
    const f = table.featureNames.indexOf(column);
    if (f < 0) continue;
    if (declared.type === 'integer') {
      const p = scanValues(table, f, (v) => !Number.isInteger(v));
      if (p) {
        notIntegers.push(p);
        fail(`column ${column}: ${plural(p.count, 'value')} not whole numbers (e.g. ${p.examples[0]?.value} on line ${p.examples[0]?.line})`);
      }
    }
    const { min, max } = declared;
    const p = scanValues(table, f, (v) => (min !== undefined && v < min) || (max !== undefined && v > max));
    if (p) {
      outOfRange.push({ ...p, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
      fail(`column ${column}: ${plural(p.count, 'value')} outside [${min ?? '-inf'}, ${max ?? 'inf'}] (e.g. ${p.examples[0]?.value} on line ${p.examples[0]?.line})`);
    }
  }

  const constantColumns: { column: string; value: number }[] = [];
  table.features.forEach((values, f) => {
    const value = constantValue(values);
    if (value !== null) constantColumns.push({ column: table.featureNames[f] as string, value });
  });
  if (constantColumns.length > 0 && options.constantColumns !== 'ignore') {
    const names = constantColumns.slice(0, 5).map((c) => c.column).join(', ');
    findings.push({
      verdict: options.constantColumns,
      text: `${plural(constantColumns.length, 'constant column')} (${names}${constantColumns.length > 5 ? ', …' : ''})`,
    });
  }

  const missingLabelRows: number[] = [];
  table.labels.forEach((label, row) => label === '' && missingLabelRows.push(row));
  if (missingLabelRows.length > 0) fail(`${plural(missingLabelRows.length, 'row')} without a label (first on line ${lineOf(table, missingLabelRows[0] as number)})`);

  const counts = classCounts(table.labels.filter((label) => label !== ''));
  const allowed = options.classes ? new Set(options.classes) : null;
  const unknownLabels = allowed ? classOrder([...counts.keys()].filter((label) => !allowed.has(label))).map((label) => ({ label, count: counts.get(label) ?? 0 })) : [];
  if (unknownLabels.length > 0) {
    const firstRow = table.labels.findIndex((label) => label !== '' && !(allowed?.has(label) ?? true));
    const shown = unknownLabels.slice(0, 3).map((u) => JSON.stringify(u.label)).join(', ');
    fail(`${plural(unknownLabels.length, 'label')} not among the declared classes: ${shown}${unknownLabels.length > 3 ? ', …' : ''} (first on line ${lineOf(table, firstRow)})`);
  }

  // The declared classes count even when no row has them: a class with no rows is the smallest class of all.
  const classes = classOrder([...(options.classes ?? []), ...counts.keys()]);
  const labelled = table.rows - missingLabelRows.length;
  const shares = classes.map((label) => ({ label, count: counts.get(label) ?? 0, share: labelled > 0 ? (counts.get(label) ?? 0) / labelled : 0 }));
  const smallClasses = shares.filter((s) => s.share < options.minClassShare).sort((a, b) => a.share - b.share);
  const rounded = <T extends { share: number }>(list: readonly T[]): T[] => list.map((s) => ({ ...s, share: Math.round(s.share * 1e4) / 1e4 }));
  if (counts.size < 2) fail(`only ${plural(counts.size, 'class')} in the labels: at least two are needed`);
  if (smallClasses.length > 0) {
    const shown = smallClasses.slice(0, 3).map((s) => `${s.label} has ${pct(s.share)} (${plural(s.count, 'row')})`).join(', ');
    fail(`${plural(smallClasses.length, 'class')} below the minimum share ${pct(options.minClassShare)}: ${shown}${smallClasses.length > 3 ? ', …' : ''}`);
  }

  const verdict = worstVerdict(findings.map((f) => f.verdict));
  const smallest = shares.reduce((a, b) => (b.share < a.share ? b : a), shares[0] ?? { label: '', count: 0, share: 0 });
  const summary = `${table.rows} rows, ${table.featureNames.length} features, ${plural(classes.length, 'class')} (smallest ${pct(smallest.share)})`;
  const fails = findings.filter((f) => f.verdict === 'fail').map((f) => f.text);
  const warns = findings.filter((f) => f.verdict === 'warn').map((f) => f.text);
  const message =
    fails.length > 0
      ? `${[...fails, ...warns].join('; ')}.`.replace(/^./, (c) => c.toUpperCase()).replace(/…\.$/, '…')
      : `${summary}${warns.length > 0 ? `; ${warns.join('; ')}` : ': types, ranges and labels as declared'}.`;
  return {
    name: 'schema',
    verdict,
    message,
    details: {
      rows: table.rows,
      features: table.featureNames.length,
      declaredMissing,
      badCells: badCells.slice(0, MAX_LISTED),
      badCellColumns: badCells.length,
      notIntegers: notIntegers.slice(0, MAX_LISTED),
      outOfRange: outOfRange.slice(0, MAX_LISTED),
      constantColumns: constantColumns.slice(0, 50),
      constantColumnCount: constantColumns.length,
      missingLabels: missingLabelRows.length,
      unknownLabels: unknownLabels.slice(0, MAX_LISTED),
      classes: rounded(shares.slice(0, 100)),
      smallClasses: rounded(smallClasses.slice(0, MAX_LISTED)),
    },
  };
}
