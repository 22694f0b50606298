/** The pipeline file schema: the example is valid, and every kind of bad input names its path and value. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatProblem } from '../../core/spec/issues.js';
import { parsePipelineYaml } from '../../core/spec/parse.js';
import { repoRoot } from '../support/paths.js';

const VALID = `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: digits
data: { source: "sklearn:digits" }
train: { epochs: 3, schedule: { kind: one_cycle, maxLr: 0.1 } }
`;

function problems(yaml: string): string[] {
  const result = parsePipelineYaml(yaml);
  assert.equal(result.ok, false, 'expected the spec to be rejected');
  return result.ok ? [] : result.problems.map(formatProblem);
}

function withLine(line: string, replace?: string): string {
  return replace ? VALID.replace(replace, line) : `${VALID}${line}\n`;
}

describe('pipeline spec', () => {
  test('the example pipeline is valid and gets the documented defaults', () => {
    const result = parsePipelineYaml(readFileSync(join(repoRoot, 'examples/digits/pipeline.yaml'), 'utf8'));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.spec.name, 'digits');
    assert.equal(result.spec.executor, 'local');
  });

  test('a minimal spec gets defaults for data split, trainer, evaluate and schedule options', () => {
    const result = parsePipelineYaml(VALID);
    assert.ok(result.ok);
    assert.deepEqual(result.spec.data.split, { kind: 'holdout', valid: 0.15, test: 0.15, folds: 5, seed: 0, stratify: true });
    assert.equal(result.spec.trainer.kind, 'reference');
    assert.equal(result.spec.trainer.retry.maximumAttempts, 3);
    assert.deepEqual(result.spec.evaluate, { split: 'test', metric: 'accuracy', confidence: 0.95, bootstrap: { resamples: 2000, seed: 0 } });
    assert.equal(result.spec.train.schedule.kind === 'one_cycle' && result.spec.train.schedule.pctStart, 0.3);
  });

  const cases: [string, string, RegExp][] = [
    ['unknown top-level key', withLine('extra: 1'), /^extra: unknown key \(got 1\)$/],
    ['unknown nested key', VALID.replace('epochs: 3', 'epochs: 3, epoch: 4'), /^train\.epoch: unknown key \(got 4\)$/],
    ['bad name', VALID.replace('name: digits', 'name: My_Pipeline'), /^name: .*lower-case.* \(got "My_Pipeline"\)$/],
    ['bad data source', VALID.replace('sklearn:digits', 'http://x'), /^data\.source: .* \(got "http:\/\/x"\)$/],
    ['zero epochs', VALID.replace('epochs: 3', 'epochs: 0'), /^train\.epochs: .*>=1 \(got 0\)$/],
    ['fractional epochs', VALID.replace('epochs: 3', 'epochs: 2.5'), /^train\.epochs: .* \(got 2\.5\)$/],
    ['negative max lr', VALID.replace('maxLr: 0.1', 'maxLr: -1'), /^train\.schedule\.maxLr: .* \(got -1\)$/],
    ['pctStart out of range', VALID.replace('maxLr: 0.1', 'maxLr: 0.1, pctStart: 1.5'), /^train\.schedule\.pctStart: .* \(got 1\.5\)$/],
    ['unknown schedule kind', VALID.replace('kind: one_cycle, maxLr: 0.1', 'kind: cosine'), /^train\.schedule\.kind: .* \(got "cosine"\)$/],
    ['wrong apiVersion', VALID.replace('gauntlet.dev/v1', 'v2'), /^apiVersion: .* \(got "v2"\)$/],
    ['bad duration', withLine('trainer: { timeout: soon }'), /^trainer\.timeout: must be a duration .* \(got "soon"\)$/],
    ['split leaves no training data', withLine('  split: { valid: 0.5, test: 0.45 }', '  source: "sklearn:digits"'.replace('  ', '')), /./],
    ['command trainer without command', withLine('trainer: { kind: command }'), /^trainer\.command: required when trainer\.kind is "command"$/],
    ['reference trainer with command', withLine('trainer: { command: [python3, x.py] }'), /^trainer\.command: only allowed .* \(got \["python3","x\.py"\]\)$/],
    ['goal without bounds', withLine('goal: { metric: accuracy }'), /^goal\.min: give min or max/],
    ['unknown executor', withLine('executor: slurm'), /^executor: .* \(got "slurm"\)$/],
    ['negative retry attempts', withLine('trainer: { retry: { maximumAttempts: -1 } }'), /^trainer\.retry\.maximumAttempts: .* \(got -1\)$/],
    ['missing train section', VALID.replace(/train:.*\n/, ''), /^train: /],
  ];
  for (const [name, yaml, expected] of cases) {
    test(`rejects ${name}`, () => {
      const found = problems(yaml);
      assert.ok(found.some((line) => expected.test(line)), `no problem matched ${expected}:\n${found.join('\n')}`);
    });
  }

  test('reports every problem at once, not just the first', () => {
    const found = problems(VALID.replace('epochs: 3', 'epochs: 0').replace('name: digits', 'name: X') + 'extra: true\n');
    assert.equal(found.length, 3, found.join('\n'));
  });

  test('YAML syntax errors name the line', () => {
    const found = problems('apiVersion: gauntlet.dev/v1\nkind: [Pipeline\n');
    assert.match(found[0] ?? '', /^line \d+, column \d+: /);
  });

  test('duplicate keys are errors, not last-one-wins', () => {
    assert.ok(problems(`${VALID}name: other\n`).length > 0);
  });
});
