/**
 * Bring your own model, checked before anything runs: a command trainer's declared modes must cover the pipeline's
 * stages (a precise error naming the mode and how to turn its stage off), and paths in trainer.command are relative
 * to the pipeline file, like data paths.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveDataSource } from '../../cli/commands/run.js';
import { formatProblem } from '../../core/spec/issues.js';
import { parsePipelineYaml, validatePipeline } from '../../core/spec/parse.js';
import { parse } from 'yaml';
import { repoRoot } from '../support/paths.js';

const spec = (trainer: string, extra = '', schedule = '{ kind: one_cycle }') => `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: byom
data: { source: "sklearn:digits" }
trainer: ${trainer}
train: { epochs: 3, schedule: ${schedule} }
${extra}`;

function problems(yaml: string): string[] {
  const result = parsePipelineYaml(yaml);
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('trainer modes', () => {
  test('GIVEN a command trainer that only trains WHEN the pipeline has the preprocessing check, the overfit gate and a range test THEN each missing mode is named with the way to turn its stage off', () => {
    const found = problems(spec('{ kind: command, command: ["{python}", "train.py"], modes: [train, evaluate] }'));
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found[0] ?? '', /^trainer\.modes: does not include "inspect", which the preprocessing check needs: .* turn the stage off with checks: \{ preprocessing: \{ enabled: false \} \}/);
    assert.match(found[1] ?? '', /^trainer\.modes: does not include "overfit_check", which the overfit gate needs: .* turn the stage off with gates: \{ overfit: \{ enabled: false \} \}/);
    assert.match(found[2] ?? '', /^trainer\.modes: does not include "lr_range_test", which the LR range test .* needs: .* train\.schedule\.maxLr/);
  });

  test('GIVEN the stages turned off WHEN the trainer declares train and evaluate THEN the spec is valid', () => {
    const yaml = spec('{ kind: command, command: ["{python}", "train.py"], modes: [train, evaluate] }', 'gates: { overfit: { enabled: false } }\nchecks: { preprocessing: { enabled: false } }', '{ kind: one_cycle, maxLr: 0.1 }');
    assert.deepEqual(problems(yaml), []);
  });

  test('GIVEN a trainer without evaluate THEN evaluation, which cannot be turned off, is named', () => {
    const found = problems(spec('{ kind: command, command: ["{python}", "t.py"], modes: [train] }', 'gates: { overfit: { enabled: false } }\nchecks: { preprocessing: { enabled: false } }', '{ kind: one_cycle, maxLr: 0.1 }'));
    assert.deepEqual(found.length, 1);
    assert.match(found[0] ?? '', /"evaluate", which evaluation needs: implement it .* list it here \(got \["train"\]\)$/);
  });

  test('GIVEN modes on the reference trainer or an unknown mode THEN each is an error naming the value', () => {
    assert.match(problems(spec('{ modes: [train] }')).join('\n'), /trainer\.modes: only for trainer\.kind "command"/);
    assert.match(problems(spec('{ kind: command, command: ["x"], modes: [train, label_everything] }')).join('\n'), /trainer\.modes\[1\]: .*label_everything/);
  });
});

describe('trainer command paths', () => {
  test('GIVEN a pipeline file in a folder with its model next to it WHEN it is resolved THEN the command points at the model, not the worker folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-byom-'));
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'model.py'), '');
    writeFileSync(join(dir, 'models', 'net.py'), '');
    const result = parsePipelineYaml(spec('{ kind: command, command: ["{python}", "model.py", "--config", "models/net.py", "../shared/x.py", "train", "-u"] }'));
    assert.ok(result.ok);
    const resolved = resolveDataSource(result.spec, join(dir, 'pipeline.yaml'));
    assert.deepEqual(resolved.trainer.command, ['{python}', join(dir, 'model.py'), '--config', join(dir, 'models', 'net.py'), join(dir, '..', 'shared', 'x.py'), 'train', '-u']);
  });

  test('GIVEN the two-stage example WHEN resolved THEN the reader model’s own command points next to the pipeline file', () => {
    const file = join(repoRoot, 'examples/two-stage/pipeline.yaml');
    const result = validatePipeline(parse(readFileSync(file, 'utf8')));
    assert.ok(result.ok);
    const resolved = resolveDataSource(result.spec, file);
    assert.deepEqual(resolved.models?.reader?.trainer?.command, ['{python}', join(repoRoot, 'examples/two-stage/crop_reader.py')]);
    assert.equal(resolved.models?.locator?.trainer, undefined);
  });
});
