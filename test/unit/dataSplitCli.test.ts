/** `gauntlet data split`: a CSV in, the core's group-aware split out (per row, in file order), clear errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { registerDataSplitCommand } from '../../cli/commands/dataSplit.js';
import { ExitCode } from '../../cli/errors.js';
import { seededRandom } from '../../core/random.js';
import { groupHoldout, groupKFold } from '../../core/split/index.js';
import { commandHarness, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-data-split-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
after(() => rmSync(dir, { recursive: true, force: true }));

/** 40 patients with 1–9 rows each, 3 skewed classes, a feature column; rows interleaved. */
function dataset(): { csv: string; labels: string[]; groups: string[] } {
  const random = seededRandom(5);
  const rows: Array<[string, string, string]> = [];
  for (let p = 0; p < 40; p++) {
    const size = 1 + Math.floor(random() * 9);
    for (let i = 0; i < size; i++) rows.push([(random() * 10).toFixed(3), `patient-${p}`, String(random() < 0.6 ? 0 : random() < 0.7 ? 1 : 2)]);
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    csv: `x,patient,label\n${rows.map((r) => r.join(',')).join('\n')}\n`,
    labels: rows.map((r) => r[2]),
    groups: rows.map((r) => r[1]),
  };
}
const data = dataset();
const csv = file('data.csv', data.csv);

/** `gauntlet data ARGS` in this process: what it printed, or the error it failed with. */
const { gauntlet, failsWith } = commandHarness((program) => registerDataSplitCommand(program.command('data')), ['data']);

async function json<T>(...args: string[]): Promise<T> {
  const { out, error } = await gauntlet(...args, '--json');
  assert.equal(error, undefined, error?.message);
  assert.equal(out.split('\n').length, 1, 'one line of JSON');
  return JSON.parse(out) as T;
}


describe('gauntlet data split', () => {
  it('--json: one of train/valid/test per data row in file order, the core manifest, no patient in two splits', async () => {
    const { assignments } = await json<{ assignments: string[] }>('split', csv, '--label', 'label', '--group', 'patient', '--valid', '0.2', '--test', '0.2', '--seed', '3');
    assert.equal(assignments.length, data.labels.length);
    const manifest = groupHoldout(data.labels, data.groups, { valid: 0.2, test: 0.2, seed: 3, stratify: true });
    const rowsOf = (name: string): number[] => assignments.flatMap((a, row) => (a === name ? [row] : []));
    assert.deepEqual({ train: rowsOf('train'), valid: rowsOf('valid'), test: rowsOf('test') }, manifest);
    const home = new Map<string, string>();
    assignments.forEach((a, row) => {
      const patient = data.groups[row] as string;
      assert.equal(home.get(patient) ?? a, a, `${patient} straddles`);
      home.set(patient, a);
    });
  });

  it('defaults: valid and test 0.15, seed 0, every row its own group; the same seed prints the same split', async () => {
    const first = await json<{ assignments: string[] }>('split', csv, '--label', 'label');
    const again = await json<{ assignments: string[] }>('split', csv, '--label', 'label', '--valid', '0.15', '--test', '0.15', '--seed', '0');
    assert.deepEqual(first, again);
    const manifest = groupHoldout(data.labels, null, { valid: 0.15, test: 0.15, seed: 0, stratify: true });
    assert.deepEqual(first.assignments.flatMap((a, row) => (a === 'test' ? [row] : [])), manifest.test);
    const other = await json<{ assignments: string[] }>('split', csv, '--label', 'label', '--seed', '1');
    assert.notDeepEqual(other, first);
  });

  it('--folds: the 0-based fold of each row, the core assignment, whole patients', async () => {
    const { folds } = await json<{ folds: number[] }>('split', csv, '--label', 'label', '--group', 'patient', '--folds', '5', '--seed', '2');
    assert.deepEqual(folds, groupKFold(data.labels, data.groups, { folds: 5, seed: 2, stratify: true }));
    assert.deepEqual([...new Set(folds)].sort(), [0, 1, 2, 3, 4]);
    for (const patient of new Set(data.groups)) assert.equal(new Set(folds.filter((_, row) => data.groups[row] === patient)).size, 1);
  });

  it('a readable summary: sizes, shares, group counts and class shares per split', async () => {
    const { out, error } = await gauntlet('split', csv, '--label', 'label', '--group', 'patient');
    assert.equal(error, undefined);
    assert.match(out, new RegExp(`data\\.csv: ${data.labels.length} rows, 3 classes, 40 groups in column "patient"; seed 0`));
    assert.match(out, /│ split\s+│ rows\s+│ share\s+│ groups\s+│ 0\s+│ 1\s+│ 2\s+│/);
    assert.match(out, /│ all\s+│ \d+\s+│ 100\.0%\s+│ 40\s+│ \d+\.\d%/);
    for (const name of ['train', 'valid', 'test']) assert.match(out, new RegExp(`│ ${name}\\s+│ \\d+\\s+│ \\d+\\.\\d%\\s+│ \\d+\\s+│`));
    assert.match(out, /largest gap between a class's share in a split and overall: \d+\.\d points \(class \d in (train|valid|test)\)/);
    const { out: folds } = await gauntlet('split', csv, '--label', 'label', '--folds', '3');
    assert.match(folds, /groups \(no --group: each row is its own\)/);
    assert.match(folds, /│ fold 2\s+│/);
  });

  it('bad flags: one line naming the option and the value, exit 2', async () => {
    const split = ['split', csv, '--label', 'label'];
    await failsWith([...split, '--folds', '5', '--valid', '0.2'], /^--folds 5 and --valid 0\.2 cannot be combined/);
    await failsWith([...split, '--test', '0.1', '--folds', '3'], /^--folds 3 and --test 0\.1 cannot be combined/);
    await failsWith([...split, '--test', '1.5'], /^--test: must be a fraction between 0 and 1, exclusive \(got "1\.5"\)$/);
    await failsWith([...split, '--valid', '0'], /^--valid: must be a fraction between 0 and 1, exclusive \(got "0"\)$/);
    await failsWith([...split, '--valid', 'abc'], /^--valid: must be a fraction .* \(got "abc"\)$/);
    await failsWith([...split, '--valid', '0.5', '--test', '0.45'], /^--valid 0\.5 \+ --test 0\.45 = 0\.95: must be below 0\.9/);
    await failsWith([...split, '--valid', '0.8'], /^--valid 0\.8 \+ --test 0\.15 = 0\.95: must be below 0\.9/);
    await failsWith([...split, '--folds', '1'], /^--folds: must be a whole number of at least 2 \(got "1"\)$/);
    await failsWith([...split, '--folds', '2.5'], /^--folds: must be a whole number of at least 2 \(got "2\.5"\)$/);
    await failsWith([...split, '--group', 'patient', '--folds', '41'], /^--folds 41: only 40 groups \(column "patient"\), and each fold needs at least one whole group$/);
    await failsWith([...split, '--seed', '-1'], /^--seed: must be a whole number from 0 to 4294967295 \(got "-1"\)$/);
    await failsWith(['split', csv], /^--label: name the label column \(--label COLUMN\)$/);
  });

  it('bad files: one line naming the file and the problem, exit 2', async () => {
    await failsWith(['split', csv, '--label', 'class'], /data\.csv: --label: no column "class" \(columns: x, patient, label\)$/);
    await failsWith(['split', csv, '--label', 'label', '--group', 'site'], /data\.csv: --group: no column "site"/);
    await failsWith(['split', join(dir, 'missing.csv'), '--label', 'label'], /missing\.csv: cannot read \(ENOENT\)$/);
    await failsWith(['split', file('empty-label.csv', 'x,label\n1,0\n2,\n'), '--label', 'label'], /empty-label\.csv: row 3: empty value in column "label"$/);
    const two = file('two.csv', 'p,label\na,0\na,1\nb,0\nb,1\n');
    await failsWith(['split', two, '--label', 'label', '--group', 'p'], /^only 2 groups \(column "p"\): train, valid and test need at least one whole group each$/);
    await failsWith(['split', two, '--label', 'label', '--group', 'p', '--folds', '3'], /^--folds 3: only 2 groups/);
  });

  it('reads a byte-order mark and CRLF line ends', async () => {
    const excel = file('excel.csv', '\uFEFFlabel,g\r\n0,a\r\n1,b\r\n0,c\r\n1,d\r\n');
    const { assignments } = await json<{ assignments: string[] }>('split', excel, '--label', 'label', '--group', 'g');
    assert.equal(assignments.length, 4);
    assert.deepEqual(new Set(assignments), new Set(['train', 'valid', 'test']));
  });

  it('the real binary: registered under data, JSON on stdout, exit code 2 and one error line on stderr', async () => {
    const good = await runCli(['data', 'split', csv, '--label', 'label', '--folds', '3', '--json'], {}, 60_000);
    assert.equal(good.code, 0, good.stderr);
    assert.equal((JSON.parse(good.stdout) as { folds: number[] }).folds.length, data.labels.length);
    const bad = await runCli(['data', 'split', csv, '--label', 'label', '--folds', '3', '--valid', '0.1'], {}, 60_000);
    assert.equal(bad.code, ExitCode.BadInput);
    assert.equal(bad.stderr, 'error: --folds 3 and --valid 0.1 cannot be combined: --folds puts every row in a fold, --valid and --test make one holdout split\n');
  });
});
