/** `gauntlet labels agreement`: CSV in, the core's report out (checked against the library vectors), clear errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { registerLabelsCommands } from '../../cli/commands/labels.js';
import { ExitCode } from '../../cli/errors.js';
import { splitCsvLine } from '../../cli/ratingsCsv.js';
import { assertClose } from '../support/assertClose.js';
import { commandHarness, runCli } from '../support/cli.js';

interface Vector {
  name: string;
  level: string;
  ratings: [string, string, string][];
  expected: Record<string, unknown>;
}
const FIXTURES = new URL('../../../test/fixtures/agreement/', import.meta.url);
const vectors = (JSON.parse(readFileSync(new URL('vectors.json', FIXTURES), 'utf8')) as { cases: Vector[] }).cases;
const vector = (name: string): Vector => {
  const found = vectors.find((v) => v.name === name);
  assert.ok(found, name);
  return found;
};

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-labels-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
after(() => rmSync(dir, { recursive: true, force: true }));

/** A vector's ratings as a CSV with the columns in another order and an extra column. */
const csvOf = (v: Vector): string => `label,Item,note,annotator\n${v.ratings.map(([i, a, l]) => `${l},${i},n/a,${a}`).join('\n')}\n`;

/** `gauntlet ARGS` in this process: what it printed, or the error it failed with. */
const { gauntlet, failsWith } = commandHarness(registerLabelsCommands);

describe('gauntlet labels agreement', () => {
  it('--json prints the report the libraries give, at every level', async () => {
    for (const name of ['random_000_nominal_negatives_4_classes_complete', 'random_001_ordinal_halves_6_classes_4_per_item',
      'random_023_interval_sparse_10_classes_missing_29pct', 'random_024_nominal_words_2_classes_complete', 'pair_used_one_class_ordinal']) {
      const v = vector(name);
      const { out, error } = await gauntlet('labels', 'agreement', file(`${name}.csv`, csvOf(v)), '--level', v.level, '--json');
      assert.equal(error, undefined, error?.message);
      assert.equal(out.split('\n').length, 1, 'one line of JSON');
      const report = JSON.parse(out) as Record<string, unknown>;
      assert.deepEqual(Object.keys(report), Object.keys(v.expected));
      assertClose(report, v.expected);
    }
  });

  it('nominal is the default and takes any labels', async () => {
    const v = vector('nominal_strings_words');
    const { out } = await gauntlet('labels', 'agreement', file('words.csv', csvOf(v)), '--json');
    assertClose(JSON.parse(out), v.expected);
  });

  it('a readable summary: statistics, pairs, label confusions, disputed items', async () => {
    const { out } = await gauntlet('labels', 'agreement', file('ten.csv', csvOf(vector('ten_after_nine_ordinal'))), '--level', 'ordinal');
    assert.match(out, /^24 ratings of 8 items by 3 annotators \(level ordinal\)/);
    assert.match(out, /│ Krippendorff's alpha \(ordinal\) │ 0\.463\s+│/);
    assert.match(out, /│ a\s+│ b\s+│ 8\s+│ 0\.333\s+│ 0\.474\s+│/);
    assert.match(out, /│\s+│ -2 │ 8 │ 9 │ 10 │/);
    assert.match(out, /most disputed items/);
    const { out: degenerate } = await gauntlet('labels', 'agreement', file('one.csv', csvOf(vector('one_class_only_nominal'))));
    assert.match(degenerate, /│ Fleiss' kappa\s+│ -\s+│/);
    assert.match(degenerate, /- : undefined/);
  });

  it('exit 2 on a non-numeric label at ordinal, naming the value and the row', async () => {
    const csv = file('bad.csv', 'item,annotator,label\ni1,a,3\ni1,b,4\n\ni2,a,abc\ni2,b,3\n');
    await failsWith(['labels', 'agreement', csv, '--level', 'ordinal'], /bad\.csv: row 5: label "abc" is not a number \(--level ordinal needs numeric labels\)$/);
    await failsWith(['labels', 'agreement', csv, '--level', 'interval'], /row 5: label "abc" is not a number \(--level interval/);
    assert.equal((await gauntlet('labels', 'agreement', csv, '--level', 'nominal', '--json')).error, undefined);
  });

  it('bad files and flags: one line naming the field, value and row, exit 2', async () => {
    const cases: [string, string, RegExp][] = [
      ['nocol.csv', 'item,rater,label\ni1,a,x\n', /nocol\.csv: row 1: no column "annotator" \(the header must name item, annotator and label; got "item,rater,label"\)$/],
      ['twice.csv', 'item,annotator,label\ni1,a,x\ni2,a,y\ni1,a,y\n', /twice\.csv: row 4: annotator "a" rated item "i1" twice \(first at row 2\)$/],
      ['emptylabel.csv', 'item,annotator,label\ni1,a,\n', /emptylabel\.csv: row 2: label is empty$/],
      ['ragged.csv', 'item,annotator,label\ni1,a\n', /ragged\.csv: row 2: 2 values, the header has 3$/],
      ['quote.csv', 'item,annotator,label\ni1,a,"x\n', /quote\.csv: row 2: a quoted value has no closing quote$/],
      ['empty.csv', '\n\n', /empty\.csv: is empty/],
      ['header.csv', 'item,annotator,label\n', /header\.csv: has a header but no ratings$/],
      ['dupcol.csv', 'item,annotator,label,Label\ni1,a,x,y\n', /dupcol\.csv: row 1: the column "label" appears twice$/],
    ];
    for (const [name, text, line] of cases) await failsWith(['labels', 'agreement', file(name, text)], line);
    await failsWith(['labels', 'agreement', join(dir, 'missing.csv')], /missing\.csv: cannot read \(ENOENT\)$/);
    await failsWith(['labels', 'agreement', file('ok.csv', 'item,annotator,label\ni,a,1\n'), '--level', 'ratio'],
      /^--level: must be nominal, ordinal or interval \(got "ratio"\)$/);
  });

  it('quoted cells, a byte-order mark and CRLF line ends are read', async () => {
    const csv = file('excel.csv', '\uFEFFitem,annotator,label\r\n"item, one",a,"say ""yes"""\r\n"item, one",b,"say ""yes"""\r\n');
    const { out } = await gauntlet('labels', 'agreement', csv, '--json');
    const report = JSON.parse(out) as { items: number; disagreement: { labels: string[] } };
    assert.equal(report.items, 1);
    assert.deepEqual(report.disagreement.labels, ['say "yes"']);
    assert.deepEqual(splitCsvLine(' a , "b,c" ,d'), ['a', 'b,c', 'd']);
    assert.deepEqual(splitCsvLine('a,,'), ['a', '', '']);
  });

  it('the real binary: registered in main, exit code 2 and one error line on stderr', async () => {
    const csv = file('bin.csv', 'item,annotator,label\ni1,a,low\ni1,b,3\n');
    const bad = await runCli(['labels', 'agreement', csv, '--level', 'interval'], {}, 60_000);
    assert.equal(bad.code, ExitCode.BadInput);
    assert.equal(bad.stderr, `error: ${csv}: row 2: label "low" is not a number (--level interval needs numeric labels)\n`);
    const good = await runCli(['labels', 'agreement', csv, '--json'], {}, 60_000);
    assert.equal(good.code, 0, good.stderr);
    assert.equal((JSON.parse(good.stdout) as { ratings: number }).ratings, 2);
  });
});
