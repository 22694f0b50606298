import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { registerLrCommands } from '../../cli/commands/lr.js';
import { oneCycle } from '../../core/schedule/oneCycle.js';
import { commandHarness } from '../support/cli.js';

const FIXTURES = new URL('../../../test/fixtures/lr/', import.meta.url);
const fastai = JSON.parse(readFileSync(new URL('fastai_vectors.json', FIXTURES), 'utf8')) as {
  curves: { name: string; points: { lr: number; loss: number | string }[]; suggestions: Record<string, number | null> }[];
};
const mlp = fastai.curves.find((c) => c.name === 'real_mlp_sgd');
const withNaN = fastai.curves.find((c) => c.name === 'nan_at_70');
assert.ok(mlp && withNaN);

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-lr-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
after(() => rmSync(dir, { recursive: true, force: true }));

/** `gauntlet ARGS` in this process: what it printed, or the error it failed with. */
const { gauntlet, failsWith } = commandHarness(registerLrCommands);

describe('gauntlet lr schedule', () => {
  it('--json prints exactly the core schedule', async () => {
    const { out } = await gauntlet('lr', 'schedule', '--max-lr', '0.1', '--total-steps', '100', '--json');
    assert.deepEqual(JSON.parse(out), oneCycle({ maxLr: 0.1, totalSteps: 100 }));
  });

  it('passes every flag through', async () => {
    const { out } = await gauntlet(
      'lr', 'schedule', '--max-lr', '0.5', '--epochs', '4', '--steps-per-epoch', '10', '--pct-start', '0.4',
      '--anneal-strategy', 'linear', '--div-factor', '10', '--final-div-factor', '100', '--three-phase',
      '--base-momentum', '0.8', '--max-momentum', '0.9', '--json',
    );
    const expected = oneCycle({
      maxLr: 0.5, epochs: 4, stepsPerEpoch: 10, pctStart: 0.4, annealStrategy: 'linear', divFactor: 10,
      finalDivFactor: 100, threePhase: true, baseMomentum: 0.8, maxMomentum: 0.9,
    });
    assert.deepEqual(JSON.parse(out), expected);
  });

  it('--no-cycle-momentum: no momentum, a dash in the table', async () => {
    const json = await gauntlet('lr', 'schedule', '--max-lr', '0.1', '--total-steps', '3', '--no-cycle-momentum', '--json');
    assert.deepEqual(JSON.parse(json.out).momentum, []);
    const table = await gauntlet('lr', 'schedule', '--max-lr', '0.1', '--total-steps', '10', '--no-cycle-momentum');
    assert.match(table.out, /│ 0\s+│ 0\.004\s+│ -\s+│/);
  });

  it('prints a table of step, lr and momentum', async () => {
    const { out } = await gauntlet('lr', 'schedule', '--max-lr', '0.1', '--total-steps', '5');
    assert.match(out, /│ step │ lr\s+│ momentum │/);
    assert.match(out, /│ 0\s+│ 0\.004\s+│ 0\.95\s+│/);
    assert.match(out, /│ 4\s+│ 4e-7\s+│ 0\.95\s+│/);
  });

  it('bad options: one line naming the flag and the value, exit code 2', async () => {
    await failsWith(['lr', 'schedule', '--max-lr', '0.1', '--total-steps', '100', '--pct-start', '1.5'], /^--pct-start: must be in \(0, 1\) \(got 1\.5\)$/);
    await failsWith(['lr', 'schedule', '--total-steps', '10'], /^--max-lr: required \(got nothing\)$/);
    await failsWith(['lr', 'schedule', '--max-lr', 'fast', '--total-steps', '10'], /^--max-lr: must be a finite number \(got "fast"\)$/);
    await failsWith(['lr', 'schedule', '--max-lr', '0.1', '--total-steps', '0'], /^--total-steps: must be positive \(got 0\)$/);
    await failsWith(['lr', 'schedule', '--max-lr', '0.1', '--total-steps', '10', '--anneal-strategy', 'exp'], /^--anneal-strategy: must be 'cos' or 'linear' \(got "exp"\)$/);
    await failsWith(['lr', 'schedule', '--max-lr', '0.1', '--total-steps', '10', '--epochs', '2'], /^--epochs: give either totalSteps/);
    await failsWith(['lr', 'schedule', '--max-lr', '0.1', '--total-steps', '10', '--pct-start', '0.1'], /^--pct-start: .*divides by zero there \(got 0\.1\)$/);
  });
});

describe('gauntlet lr analyze', () => {
  const csv = file('mlp.csv', `lr,loss\n${mlp.points.map((p) => `${p.lr},${p.loss}`).join('\n')}\n`);
  // Python's json.dumps writes a bare NaN; the reader accepts it.
  const pythonJson = file('nan.json', `[${withNaN.points.map((p) => `{"lr": ${p.lr}, "loss": ${p.loss}}`).join(', ')}]`);

  it('CSV in, JSON out: fastai’s suggestions', async () => {
    const { out } = await gauntlet('lr', 'analyze', csv, '--json', '--num-it', '100');
    const analysis = JSON.parse(out);
    assert.equal(analysis.trustworthy, true);
    for (const key of ['valley', 'steep', 'minimum', 'slide']) {
      const expected = mlp.suggestions[key] as number;
      assert.ok(Math.abs(analysis.suggestions[key] - expected) <= 1e-12 * expected, key);
    }
  });

  it('JSON with NaN in: the curve stops before the NaN, and the reason says so', async () => {
    const { out } = await gauntlet('lr', 'analyze', pythonJson, '--json');
    const analysis = JSON.parse(out);
    assert.equal(analysis.curve.length, 60);
    assert.equal(analysis.trustworthy, false);
    assert.match(analysis.reasons[0], /became NaN/);
  });

  it('JSON with null losses and string infinities', async () => {
    const points = mlp.points.map((p, i) => ({ lr: p.lr, loss: i === 50 ? null : i === 60 ? 'Infinity' : p.loss }));
    const { out } = await gauntlet('lr', 'analyze', file('null.json', JSON.stringify(points)), '--json');
    assert.equal(JSON.parse(out).curve.length, 50 - 10);
  });

  it('a human-readable summary', async () => {
    const { out } = await gauntlet('lr', 'analyze', csv);
    assert.match(out, /│ valley\s+│ 2e-2\s+│/);
    assert.match(out, /trustworthy/);
  });

  it('--no-smooth reads the losses as smoothed already', async () => {
    const { out } = await gauntlet('lr', 'analyze', csv, '--json', '--no-smooth');
    const curve = JSON.parse(out).curve as { loss: number; smoothed: number }[];
    assert.ok(curve.every((p) => p.loss === p.smoothed));
  });

  it('--svg writes a standalone SVG', async () => {
    const svg = join(dir, 'curve.svg');
    const { out } = await gauntlet('lr', 'analyze', csv, '--svg', svg);
    assert.match(out, /wrote .*curve\.svg/);
    const text = readFileSync(svg, 'utf8');
    assert.ok(text.startsWith('<svg'));
    assert.ok(text.trimEnd().endsWith('</svg>'));
    for (const name of ['valley', 'steep', 'minimum', 'slide']) assert.match(text, new RegExp(`>${name} `));
  });

  it('bad files: one line naming the file and the problem, exit code 2', async () => {
    const cases: [string, string, RegExp][] = [
      ['word.csv', 'lr,loss\n0.001,1\n0.002,abc\n', /word\.csv: line 3: loss: must be a number, nan or inf \(got "abc"\)$/],
      ['header.csv', 'x,y\n1,2\n', /header\.csv: line 1: the header must name the columns lr and loss \(got "x,y"\)$/],
      ['ragged.csv', 'lr,loss\n0.001\n', /ragged\.csv: line 2: expected 2 values like the header \(got "0\.001"\)$/],
      ['order.csv', 'lr,loss\n0.01,1\n0.001,2\n', /order\.csv: line 3: lr: must increase \(the previous lr is 0\.01\) \(got 0\.001\)$/],
      ['zero.csv', 'loss,lr\n1,0\n', /zero\.csv: line 2: lr: must be positive \(got 0\)$/],
      ['empty.csv', '\n', /empty\.csv: is empty/],
      ['broken.json', '[{"lr": 0.001, "loss": 1},', /broken\.json: not valid JSON/],
      ['shape.json', '{"lr": [1, 2]}', /shape\.json: \(root\): must be a JSON array of \{lr, loss\}/],
      ['type.json', '[{"lr": "a", "loss": 1}]', /type\.json: \[0\]\.lr: must be a number \(got "a"\)$/],
      ['order.json', '[{"lr": 0.01, "loss": 1}, {"lr": 0.001, "loss": 1}]', /order\.json: \[1\]\.lr: must increase/],
    ];
    for (const [name, text, line] of cases) await failsWith(['lr', 'analyze', file(name, text)], line);
    await failsWith(['lr', 'analyze', join(dir, 'missing.csv')], /missing\.csv: cannot read \(ENOENT\)$/);
  });

  it('bad options name the flag', async () => {
    await failsWith(['lr', 'analyze', csv, '--beta', '2'], /^--beta: must be in \[0, 1\) \(got 2\)$/);
    await failsWith(['lr', 'analyze', csv, '--num-it', '0'], /^--num-it: must be at least 1 \(got 0\)$/);
    await failsWith(['lr', 'analyze', csv, '--diverge-factor', 'x'], /^--diverge-factor: must be a number \(got "x"\)$/);
  });
});
