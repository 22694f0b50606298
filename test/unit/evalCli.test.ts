/** `gauntlet eval interval|compare`: statsmodels' numbers out (the vectors), rows matched by id, clear errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { registerEvalCommands } from '../../cli/commands/eval.js';
import { ExitCode } from '../../cli/errors.js';
import { seededRandom, shuffled } from '../../core/random.js';
import { commandHarness, runCli } from '../support/cli.js';

interface Vectors {
  proportion: Array<{ correct: number; total: number; confidence: number; method: string; low: number; high: number }>;
  mcnemar: Array<{ b: number; c: number; mode: string; statistic: number; pValue: number; exact: boolean }>;
}
const FIXTURES = new URL('../../../test/fixtures/eval/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('vectors.json', FIXTURES), 'utf8')) as Vectors;

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-eval-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
after(() => rmSync(dir, { recursive: true, force: true }));

/** `gauntlet ARGS` in this process: what it printed, or the error it failed with. */
const { gauntlet, failsWith } = commandHarness(registerEvalCommands);

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) <= 1e-9, `${what}: ${actual} != ${expected}`);

describe('gauntlet eval interval', () => {
  it('--json prints exactly {estimate, low, high, method}, equal to statsmodels', async () => {
    const picked = vectors.proportion.filter((_, i) => i % 37 === 0);
    assert.ok(picked.length > 30);
    for (const v of picked) {
      const method = v.method === 'clopper-pearson' && v.correct % 2 === 0 ? 'beta' : v.method;
      const { out, error } = await gauntlet('eval', 'interval', '--correct', String(v.correct), '--total', String(v.total), '--method', method, '--confidence', String(v.confidence), '--json');
      assert.equal(error, undefined, error?.message);
      const result = JSON.parse(out) as Record<string, number | string>;
      assert.deepEqual(Object.keys(result), ['estimate', 'low', 'high', 'method']);
      assert.equal(result.method, v.method, 'beta is reported as clopper-pearson');
      close(result.low as number, v.low, `${v.correct}/${v.total} low`);
      close(result.high as number, v.high, `${v.correct}/${v.total} high`);
      assert.equal(result.estimate, v.correct / v.total);
    }
  });

  it('defaults: wilson at 0.95; readable without --json', async () => {
    const v = vectors.proportion.find((x) => x.method === 'wilson' && x.confidence === 0.95 && x.total === 10 && x.correct === 7);
    assert.ok(v);
    const { out } = await gauntlet('eval', 'interval', '--correct', '7', '--total', '10', '--json');
    const result = JSON.parse(out) as { low: number; high: number; method: string };
    assert.equal(result.method, 'wilson');
    close(result.low, v.low, 'low');
    const { out: text } = await gauntlet('eval', 'interval', '--correct', '7', '--total', '10');
    assert.equal(text, `7 of 10: 0.7000, 95% Wilson interval ${v.low.toFixed(4)} to ${v.high.toFixed(4)}`);
  });

  it('bad flags: one line naming the flag and value, exit 2', async () => {
    await failsWith(['eval', 'interval', '--total', '10'], /^--correct: required$/);
    await failsWith(['eval', 'interval', '--correct', '3'], /^--total: required$/);
    await failsWith(['eval', 'interval', '--correct', '2.5', '--total', '10'], /^--correct: must be a whole number >= 0 \(got "2\.5"\)$/);
    await failsWith(['eval', 'interval', '--correct', '-1', '--total', '10'], /^--correct: must be a whole number >= 0 \(got "-1"\)$/);
    await failsWith(['eval', 'interval', '--correct', '11', '--total', '10'], /^--correct: 11 is more than --total 10$/);
    await failsWith(['eval', 'interval', '--correct', '0', '--total', '0'], /^--total: must be at least 1/);
    await failsWith(['eval', 'interval', '--correct', '1', '--total', '2', '--confidence', '1'], /^--confidence: must be between 0 and 1, exclusive \(got 1\)$/);
    await failsWith(['eval', 'interval', '--correct', '1', '--total', '2', '--confidence', 'high'], /^--confidence: must be a number between 0 and 1, exclusive \(got "high"\)$/);
    await failsWith(['eval', 'interval', '--correct', '1', '--total', '2', '--method', 'exact'], /^--method: must be wilson or clopper-pearson \(alias beta\) \(got "exact"\)$/);
  });
});

/** Files for `eval compare` with the given discordance: b rows only A gets right, c only B, some both, some neither. */
function scenario(name: string, b: number, c: number, both: number, neither: number): { a: string; b: string; labels: string } {
  const random = seededRandom(b * 1000 + c);
  const rows: Array<{ id: string; label: string; a: string; b: string }> = [];
  const kinds = [...Array(b).fill('b'), ...Array(c).fill('c'), ...Array(both).fill('both'), ...Array(neither).fill('neither')] as string[];
  kinds.forEach((kind, i) => {
    const label = ['cat', 'dog', 'eel'][i % 3] as string;
    const wrong = label === 'cat' ? 'dog' : 'cat';
    rows.push({ id: `row-${i}`, label, a: kind === 'b' || kind === 'both' ? label : wrong, b: kind === 'c' || kind === 'both' ? label : wrong });
  });
  // Each file in its own order and column order: matching is by id.
  const write = (suffix: string, header: string, line: (r: (typeof rows)[number]) => string) =>
    file(`${name}-${suffix}.csv`, `${header}\n${shuffled(rows, random).map(line).join('\n')}\n`);
  return {
    labels: write('labels', 'id,label', (r) => `${r.id},${r.label}`),
    a: write('a', 'prediction,ID,score', (r) => `${r.a},${r.id},0.5`),
    b: write('b', 'id,prediction', (r) => `"${r.id}",${r.b}`),
  };
}

describe('gauntlet eval compare', () => {
  for (const [b, c] of [[3, 21], [13, 12], [0, 0], [30, 70], [12, 12], [21, 4]] as const) {
    it(`b ${b}, c ${c}: the counts and statsmodels' McNemar`, async () => {
      const files = scenario(`s${b}-${c}`, b, c, 40, 7);
      const { out, error } = await gauntlet('eval', 'compare', files.a, files.b, '--labels', files.labels, '--json');
      assert.equal(error, undefined, error?.message);
      assert.equal(out.split('\n').length, 1);
      const result = JSON.parse(out) as { n: number; accuracyA: number; accuracyB: number; b: number; c: number; mcnemar: Record<string, unknown> };
      assert.deepEqual(Object.keys(result), ['n', 'accuracyA', 'accuracyB', 'b', 'c', 'mcnemar']);
      assert.deepEqual(Object.keys(result.mcnemar), ['statistic', 'pValue', 'exact']);
      const n = b + c + 47;
      assert.deepEqual([result.n, result.b, result.c], [n, b, c]);
      assert.equal(result.accuracyA, (b + 40) / n);
      assert.equal(result.accuracyB, (c + 40) / n);
      const v = vectors.mcnemar.find((x) => x.b === b && x.c === c && x.mode === 'auto');
      assert.ok(v, 'a vector for this pair');
      assert.equal(result.mcnemar.exact, v.exact);
      close(result.mcnemar.statistic as number, v.statistic, 'statistic');
      close(result.mcnemar.pValue as number, v.pValue, 'pValue');
    });
  }

  it('readable without --json', async () => {
    const files = scenario('text', 3, 9, 40, 7);
    const { out } = await gauntlet('eval', 'compare', files.a, files.b, '--labels', files.labels);
    const lines = out.split('\n');
    assert.equal(lines[0], '59 rows matched by id');
    assert.match(lines[1] ?? '', /^A .*text-a\.csv: accuracy 0\.7288 \(43 of 59\)$/);
    assert.match(lines[3] ?? '', /^rows only A got right \(b\): 3; rows only B got right \(c\): 9$/);
    assert.match(lines[4] ?? '', /^McNemar \(exact binomial, b \+ c < 25\): statistic 3, p = 0\.1460$/);
    assert.equal(lines[5], 'no evidence at the 5% level that the models differ');
  });

  it('ids must match: the error names the ids on each side', async () => {
    const labels = file('ids-labels.csv', 'id,label\nr1,x\nr2,y\nr3,x\n');
    const a = file('ids-a.csv', 'id,prediction\nr1,x\nr2,y\nr3,y\n');
    const missing = file('ids-missing.csv', 'id,prediction\nr1,x\nr3,y\nr7,y\n');
    await failsWith(['eval', 'compare', a, missing, '--labels', labels], /^ids differ: 1 id\(s\) in .*ids-missing\.csv are not in .*ids-labels\.csv: "r7"; 1 id\(s\) in .*ids-labels\.csv are not in .*ids-missing\.csv: "r2"$/);
    const many = file('ids-many.csv', `id,prediction\n${Array.from({ length: 9 }, (_, i) => `r${i + 1},x`).join('\n')}\n`);
    await failsWith(['eval', 'compare', many, a, '--labels', labels], /6 id\(s\) in .*ids-many\.csv are not in .*: "r4", "r5", "r6", "r7", "r8" and 1 more$/);
  });

  it('bad files: one line naming the file and row, exit 2', async () => {
    const labels = file('ok-labels.csv', 'id,label\nr1,x\nr2,y\n');
    const ok = file('ok-a.csv', 'id,prediction\nr1,x\nr2,y\n');
    const cases: [string, string, RegExp][] = [
      ['dup.csv', 'id,prediction\nr1,x\nr2,y\nr1,y\n', /dup\.csv: row 4: id "r1" appears twice \(first at row 2\)$/],
      ['nocol.csv', 'id,pred\nr1,x\n', /nocol\.csv: row 1: no column "prediction" \(the header must name id and prediction; got "id,pred"\)$/],
      ['emptypred.csv', 'id,prediction\nr1,\nr2,y\n', /emptypred\.csv: row 2: prediction is empty$/],
      ['emptyid.csv', 'id,prediction\n,x\n', /emptyid\.csv: row 2: id is empty$/],
      ['ragged.csv', 'id,prediction\nr1,x,extra\n', /ragged\.csv: row 2: 3 values, the header has 2$/],
      ['header.csv', 'id,prediction\n', /header\.csv: has a header but no rows$/],
      ['empty.csv', '', /empty\.csv: is empty: expected a header naming the columns id and prediction$/],
      ['twice.csv', 'id,prediction,Prediction\nr1,x,y\n', /twice\.csv: row 1: the column "prediction" appears twice$/],
    ];
    for (const [name, text, line] of cases) await failsWith(['eval', 'compare', ok, file(name, text), '--labels', labels], line);
    await failsWith(['eval', 'compare', ok, ok, '--labels', file('badlabels.csv', 'id,prediction\nr1,x\n')], /badlabels\.csv: row 1: no column "label"/);
    await failsWith(['eval', 'compare', ok, join(dir, 'absent.csv'), '--labels', labels], /absent\.csv: cannot read \(ENOENT\)$/);
    await failsWith(['eval', 'compare', ok, ok], /^--labels: required \(the CSV with the columns id and label\)$/);
  });

  it('the real CLI: JSON on stdout, exit 0; bad input on stderr, exit 2', async () => {
    const files = scenario('real', 2, 5, 10, 1);
    const good = await runCli(['eval', 'compare', files.a, files.b, '--labels', files.labels, '--json'], {}, 60_000);
    assert.equal(good.code, 0, good.stderr);
    assert.deepEqual((JSON.parse(good.stdout) as { b: number; c: number }).b, 2);
    const bad = await runCli(['eval', 'interval', '--correct', '3', '--total', '2'], {}, 60_000);
    assert.equal(bad.code, ExitCode.BadInput);
    assert.equal(bad.stderr, 'error: --correct: 3 is more than --total 2\n');
  });
});
