/** `models:` inside a pipeline file: merged sections per model, what a chain does not support yet, pods running the right trainer. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { modelIgnoreColumns, modelPipelineSpec, modelPlan } from '../../core/spec/models.js';
import { formatProblem } from '../../core/spec/issues.js';
import { validatePipeline } from '../../core/spec/parse.js';
import { repoRoot } from '../support/paths.js';

const example = (name: string) => parse(readFileSync(join(repoRoot, 'examples/two-stage', name), 'utf8')) as Record<string, unknown>;
const problems = (raw: Record<string, unknown>) => {
  const result = validatePipeline(raw);
  return result.ok ? [] : result.problems.map(formatProblem);
};

describe('models: in a pipeline file', () => {
  test('GIVEN the two-stage examples THEN they validate; each model sees its own label and never another model’s', () => {
    for (const file of ['pipeline.yaml', 'kubernetes.yaml']) assert.deepEqual(problems(example(file)), [], file);
    const result = validatePipeline(example('pipeline.yaml'));
    assert.ok(result.ok);
    const { spec } = result;
    assert.deepEqual(modelPlan(spec), [
      { name: 'locator', from: null, as: null, consumers: ['reader'] },
      { name: 'reader', from: 'locator', as: 'cell_pred', consumers: [] },
    ]);
    assert.deepEqual(modelIgnoreColumns(spec, 'locator').sort(), ['digit', 'image']);
    assert.deepEqual(modelIgnoreColumns(spec, 'reader').sort(), ['cell', 'image']);
    const reader = modelPipelineSpec(spec, 'reader');
    assert.equal(reader.trainer.kind, 'command');
    assert.deepEqual(reader.train.hyperparameters, { hidden: 64, cellColumn: 'cell_pred' }, 'merged key by key onto the pipeline’s');
    assert.equal(reader.train.epochs, 15);
    assert.equal(reader.data.labelColumn, 'digit');
    assert.equal(reader.models, undefined);
    assert.equal(reader.gates.oracle.enabled, false);
    assert.equal(modelPipelineSpec(spec, 'locator').trainer.kind, 'reference');
  });

  test('GIVEN what a chain does not support yet THEN each is an error naming its field', () => {
    const raw = { ...example('pipeline.yaml'), sweep: { space: { hidden: { choice: [8, 16] } }, budget: { maxTrials: 2 } }, promote: { when: 'always' } };
    const found = problems(raw).join('\n');
    assert.match(found, /^sweep: a sweep with models: is not supported yet/m);
    assert.match(found, /^promote: promotion with models: is not supported yet/m);
  });

  test('GIVEN a bad override or a broken graph THEN the problem names the model and field', () => {
    const raw = example('pipeline.yaml');
    const models = raw.models as Record<string, Record<string, unknown>>;
    const bad = { ...raw, models: { ...models, reader: { ...models.reader, train: { epochs: -1 } }, locator: { ...models.locator, inputs: { from: 'reader', as: 'x' } } } };
    const found = problems(bad).join('\n');
    assert.match(found, /models\.reader\.train\.epochs: /);
    assert.match(found, /predictions flow in a cycle: /);
  });

  test('GIVEN a command trainer on the kubernetes executor THEN the pods’ command must be given, for one model or a whole pipeline', () => {
    const raw = example('kubernetes.yaml');
    const models = raw.models as Record<string, Record<string, unknown>>;
    const { kubernetes: _omit, ...reader } = models.reader!;
    assert.match(problems({ ...raw, models: { ...models, reader } }).join('\n'), /^models\.reader\.kubernetes\.command: trainer\.kind is "command", so the pods must run your trainer/m);
    const single = {
      apiVersion: 'gauntlet.dev/v1', kind: 'Pipeline', name: 'mine', executor: 'kubernetes',
      data: { source: 'sklearn:digits' }, trainer: { kind: 'command', command: ['{python}', 'model.py'] },
      train: { epochs: 2, schedule: { kind: 'one_cycle', maxLr: 0.1 } }, kubernetes: { image: 'mine:1' },
    };
    assert.match(problems(single).join('\n'), /^kubernetes\.command: trainer\.kind is "command"/m);
    assert.deepEqual(problems({ ...single, kubernetes: { image: 'mine:1', command: ['python3', '/app/model.py'] } }), []);
  });
});
