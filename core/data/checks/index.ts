/**
 * The data checks on a parsed table, in a fixed order: schema, duplicates, leakage (the enabled ones). Pure: the same
 * table, split and spec give the same results, so they can run in an activity and be replayed from history.
 * The `preprocessing` and `splits` checks of the spec are not data-set checks and run elsewhere.
 */
import type { CheckResult } from '../check.js';
import type { SplitAssignment } from '../membership.js';
import type { ChecksSpec } from '../../spec/checks.js';
import type { DataTable } from '../table.js';
import { duplicatesCheck } from './duplicates.js';
import { leakageCheck } from './leakage.js';
import { schemaCheck } from './schema.js';

export interface DataCheckContext {
  /** The allowed label values, for the schema check (a pipeline passes "0"…"K-1"). */
  classes?: readonly string[];
}

export function runDataChecks(table: DataTable, split: SplitAssignment | null, checks: ChecksSpec, context: DataCheckContext = {}): CheckResult[] {
  const results: CheckResult[] = [];
  if (checks.schema.enabled) results.push(schemaCheck(table, split, { ...checks.schema, ...(context.classes ? { classes: context.classes } : {}) }));
  if (checks.duplicates.enabled) results.push(duplicatesCheck(table, split, checks.duplicates));
  if (checks.leakage.enabled) results.push(leakageCheck(table, split, checks.leakage));
  return results;
}

/** The failed checks whose spec says `onFail: stop`: the ones that stop a run (a `warn` one is recorded and the run goes on). */
export function stoppingFailures(results: readonly CheckResult[], checks: ChecksSpec): CheckResult[] {
  const onFail = (name: string): string | undefined =>
    name === 'schema' || name === 'duplicates' || name === 'leakage' || name === 'preprocessing' || name === 'splits' ? checks[name].onFail : undefined;
  return results.filter((r) => r.verdict === 'fail' && onFail(r.name) !== 'warn');
}
