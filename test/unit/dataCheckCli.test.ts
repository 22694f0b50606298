/** `gauntlet data check`: CSV in, the checks' results out (JSON or a table), exit 0 / 4 / 2, one-line errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { CommanderError } from 'commander';

import { registerDataCommands } from '../../cli/commands/data.js';
import { ExitCode } from '../../cli/errors.js';
import { commandHarness, runCli } from '../support/cli.js';

const DIGITS = readFileSync(new URL('../../../test/fixtures/data/digits.csv', import.meta.url), 'utf8');

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-data-check-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
after(() => rmSync(dir, { recursive: true, force: true }));

/** Digits with `ink_code`, the label in disguise. */
const leakyDigits = (): string => {
  const [header, ...rows] = DIGITS.trim().split('\n');
  return `${header},ink_code\n${rows.map((row) => `${row},${Number(row.split(',').at(-1)) * 7 + 3}`).join('\n')}\n`;
};

/** `gauntlet ARGS` in this process: what it printed, or the error it failed with. */
const { gauntlet, failsWith } = commandHarness(registerDataCommands);

describe('gauntlet data check', () => {
  const digits = file('digits.csv', DIGITS);
  const leaky = file('leaky.csv', leakyDigits());

  it('--json prints {rows, checks} with each check as name, verdict, message, details; no failure, no exit code', async () => {
    const { out, exitCode, error } = await gauntlet('data', 'check', digits, '--label', 'label', '--json');
    assert.equal(error, undefined, error?.message);
    assert.equal(exitCode, undefined);
    assert.equal(out.split('\n').length, 1, 'one line of JSON');
    const report = JSON.parse(out) as { rows: number; checks: { name: string; verdict: string; message: string; details: object }[] };
    assert.deepEqual(Object.keys(report), ['rows', 'checks']);
    assert.equal(report.rows, 1797);
    for (const check of report.checks) assert.deepEqual(Object.keys(check), ['name', 'verdict', 'message', 'details']);
    assert.deepEqual(report.checks.map((c) => [c.name, c.verdict]), [['schema', 'warn'], ['duplicates', 'pass'], ['leakage', 'pass']]);
    assert.match(report.checks[0]?.message ?? '', /3 constant columns \(p0, p32, p39\)/);
  });

  it('a failing check sets exit code 4 and is named, in JSON and in the table', async () => {
    const json = await gauntlet('data', 'check', leaky, '--label', 'label', '--json');
    assert.equal(json.exitCode, ExitCode.ChecksFailed);
    assert.equal(ExitCode.ChecksFailed, 4);
    const leakage = (JSON.parse(json.out) as { checks: { name: string; verdict: string; message: string }[] }).checks.find((c) => c.name === 'leakage');
    assert.equal(leakage?.verdict, 'fail');
    assert.match(leakage?.message ?? '', /^Column ink_code predicts the label with cross-validated accuracy 1\.00 \(class prior 0\.\d\d\)\.$/);

    const text = await gauntlet('data', 'check', leaky, '--label', 'label');
    assert.equal(text.exitCode, ExitCode.ChecksFailed);
    assert.match(text.out, new RegExp(`^${leaky.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 1797 rows, 65 features, label "label"\n`));
    assert.match(text.out, /│ leakage +│ fail +│ Column ink_code predicts the label/);
    assert.match(text.out, /\nfailed: leakage$/);
  });

  it('--group: the column is no feature, copies within one group are expected, copies across groups are listed', async () => {
    // Three images, each with a copy in its own group; image 3 also copied into group b.
    const header = 'g,x,y,z,label';
    const rows = ['a,1,5,9,0', 'a,1,5,9,0', 'b,2,7,1,1', 'b,2,7,1,1', 'c,3,1,4,0', 'c,3,1,4,0', 'b,3,1,4,0'];
    const extra = Array.from({ length: 30 }, (_, i) => `n${i},${10 + ((i * 11) % 31)},${(i * 7) % 13},${(i * 5) % 11},${i % 2}`);
    const grouped = file('grouped.csv', [header, ...rows, ...extra].join('\n'));
    const { out, exitCode } = await gauntlet('data', 'check', grouped, '--label', 'label', '--group', 'g', '--json');
    assert.equal(exitCode, undefined);
    const duplicates = (JSON.parse(out) as { checks: { name: string; verdict: string; details: { counts: { exact: object }; pairs: { lines: number[]; groups: string[] }[] } }[] }).checks[1];
    assert.equal(duplicates?.verdict, 'warn');
    assert.deepEqual(duplicates?.details.counts.exact, { across: 0, within: 2, sameGroup: 3 });
    assert.deepEqual(duplicates?.details.pairs.map((p) => [p.lines, p.groups]), [[[6, 8], ['c', 'b']], [[7, 8], ['c', 'b']]]);
    const table = await gauntlet('data', 'check', grouped, '--label', 'label', '--group', 'g');
    assert.match(table.out, /duplicate pairs \(2 of 2; --json lists 2\)/);
    assert.match(table.out, /│ exact │ 6 and 8 │ c \/ b +│ 0\.000 +│/);
  });

  it('bad arguments and unreadable files: exit 2 with one line naming the flag or the line', async () => {
    await failsWith(['data', 'check', join(dir, 'nope.csv'), '--label', 'label'], /nope\.csv: cannot read \(ENOENT\)$/);
    await failsWith(['data', 'check', digits, '--label', 'target'], /^--label: no column "target" \(columns: p0, p1, p2, p3, p4, p5, p6, p7, …\)$/);
    await failsWith(['data', 'check', digits, '--label', 'label', '--group', 'team'], /^--group: no column "team"/);
    await failsWith(['data', 'check', digits, '--label', 'label', '--group', 'label'], /^--group: the group column cannot be the label column \("label"\)$/);
    await failsWith(['data', 'check', file('ragged.csv', 'a,label\n1,0\n2,1,3\n'), '--label', 'label'], /ragged\.csv: line 3: 3 values, the header has 2$/);
    await failsWith(['data', 'check', file('empty.csv', ''), '--label', 'label'], /empty\.csv: the CSV is empty$/);
    const missing = await gauntlet('data', 'check', digits);
    assert.ok(missing.error instanceof CommanderError);
    assert.match(missing.error.message, /required option '--label <column>' not specified/);
  });

  it('the real CLI exits 0, 4 and 2', async () => {
    const ok = await runCli(['data', 'check', digits, '--label', 'label', '--json'], {}, 60_000);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { rows: number }).rows, 1797);
    const failed = await runCli(['data', 'check', leaky, '--label', 'label'], {}, 60_000);
    assert.equal(failed.code, 4, failed.stderr);
    assert.equal(failed.stderr, '');
    const bad = await runCli(['data', 'check', digits, '--label', 'target'], {}, 60_000);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: --label: no column "target"/);
    const noLabel = await runCli(['data', 'check', digits], {}, 60_000);
    assert.equal(noLabel.code, 2);
  });
});
