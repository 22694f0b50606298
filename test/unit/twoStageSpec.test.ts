/** The `models:` section: defaults, the graph checks (unknown model, self, cycles, shared columns), the order. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProblem, problemsFromZod } from '../../core/spec/issues.js';
import { columnCollisionIssues, ModelGraphError, modelOrder, ModelsSection, type ModelSpec } from '../../core/twostage/spec.js';

const TWO_STAGE = {
  models: {
    locator: { labelColumn: 'cell' },
    reader: { labelColumn: 'digit', inputs: { from: 'locator', as: 'cell_pred' }, trainer: { kind: 'command' } },
  },
};

function problems(value: unknown): string[] {
  const parsed = ModelsSection.safeParse(value, { reportInput: true });
  assert.equal(parsed.success, false, 'expected the section to be rejected');
  return parsed.success ? [] : problemsFromZod(parsed.error).map(formatProblem);
}

function models(edges: Record<string, string | null>): Record<string, ModelSpec> {
  return Object.fromEntries(
    Object.entries(edges).map(([name, from]) => [name, { labelColumn: `${name}_label`, inputs: from === null ? { columns: 'all' as const } : { from, as: `${from}_to_${name}` } }]),
  );
}

describe('two-stage spec', () => {
  test('GIVEN a locator and a reader WHEN parsed THEN defaults fill in and the placeholders pass through', () => {
    const section = ModelsSection.parse(TWO_STAGE);
    assert.equal(section.handoff, 'oof');
    assert.deepEqual(section.crossFit, { folds: 5 });
    assert.deepEqual(section.models.locator?.inputs, { columns: 'all' });
    assert.deepEqual(section.models.reader?.trainer, { kind: 'command' });
    assert.deepEqual(modelOrder(section.models), ['locator', 'reader']);
    assert.equal(ModelsSection.parse({ ...TWO_STAGE, handoff: 'both', crossFit: { folds: 20 } }).crossFit.folds, 20);
  });

  test('GIVEN bad fields WHEN parsed THEN each problem names the field and the value', () => {
    const found = problems({
      models: { Locator: { labelColumn: 'cell' }, reader: { labelColumn: 'a,b', inputs: { from: 'locator' }, extra: 1 } },
      handoff: 'predictions',
      crossFit: { folds: 1 },
    });
    assert.ok(found.includes('models.Locator: model name must be lower-case letters, digits and dashes, start with a letter, at most 32 characters (got "Locator")'), found.join('\n'));
    assert.ok(found.some((p) => p.startsWith('models.reader.labelColumn: must not contain a comma')), found.join('\n'));
    assert.ok(found.includes('models.reader.extra: unknown key (got 1)'), found.join('\n'));
    assert.ok(found.includes('models.reader.inputs.as: is required with from: the new column that holds model "locator"\'s predictions'), found.join('\n'));
    const inputs = (value: unknown): string[] => problems({ models: { reader: { labelColumn: 'digit', inputs: value } } });
    assert.deepEqual(inputs({}), ['models.reader.inputs: must be { columns: all } or { from: <model name>, as: <new column name> }']);
    assert.deepEqual(inputs({ columns: 'all', from: 'x', as: 'y' }), ['models.reader.inputs.columns: either columns: all, or from and as, not both (got "all")']);
    assert.deepEqual(inputs({ as: 'y' }), ['models.reader.inputs.from: is required with as: the model whose predictions column "y" holds']);
    assert.ok(inputs({ columns: 'some' })[0]?.startsWith('models.reader.inputs.columns: Invalid input: expected "all"'));
    assert.ok(found.some((p) => p.startsWith('handoff:') && p.includes('"predictions"')), found.join('\n'));
    assert.ok(found.includes('crossFit.folds: must be at least 2 (got 1)'), found.join('\n'));
    assert.ok(problems({ ...TWO_STAGE, crossFit: { folds: 21 } }).includes('crossFit.folds: must be at most 20 (got 21)'));
    assert.ok(problems({ models: {} }).some((p) => p.startsWith('models: must name at least one model')));
  });

  test('GIVEN `from` naming no model or the model itself WHEN parsed THEN the problem names the field and value', () => {
    const unknown = problems({ models: { reader: { labelColumn: 'digit', inputs: { from: 'finder', as: 'cell_pred' } }, locator: { labelColumn: 'cell' } } });
    assert.deepEqual(unknown, ['models.reader.inputs.from: names no model (models: reader, locator) (got "finder")']);
    const self = problems({ models: { reader: { labelColumn: 'digit', inputs: { from: 'reader', as: 'cell_pred' } } } });
    assert.deepEqual(self, ['models.reader.inputs.from: model "reader" cannot consume its own predictions (got "reader")']);
    assert.throws(() => modelOrder(models({ a: 'a' })), /models\.a\.inputs\.from: model "a" cannot consume its own predictions/);
    assert.throws(() => modelOrder(models({ a: 'b' })), (error: unknown) => error instanceof ModelGraphError && /names no model \(got "b"\)/.test(error.message));
  });

  test('GIVEN a cycle WHEN parsed or ordered THEN the cycle path is reported once, the way predictions flow', () => {
    // c reads b, b reads a, a reads c: predictions flow a → b → c → a.
    const cyclic = { ...models({ a: 'c', b: 'a', c: 'b', d: null }) };
    assert.deepEqual(problems({ models: cyclic }), ['models.a.inputs.from: predictions flow in a cycle: a → b → c → a (got "c")']);
    assert.throws(() => modelOrder(cyclic), /predictions flow in a cycle: a → b → c → a/);
    assert.deepEqual(problems({ models: models({ x: 'y', y: 'x' }) }), ['models.x.inputs.from: predictions flow in a cycle: x → y → x (got "y")']);
  });

  test('GIVEN two models appending one column WHEN parsed THEN the second is named', () => {
    const spec = models({ a: null, b: 'a', c: 'a' });
    (spec.c as ModelSpec).inputs = { from: 'a', as: 'a_to_b' };
    assert.deepEqual(problems({ models: spec }), ['models.c.inputs.as: is already the column model "b" appends (got "a_to_b")']);
  });

  test('GIVEN a DAG declared in any order WHEN ordered THEN each model follows its upstream, ties in declaration order', () => {
    assert.deepEqual(modelOrder(models({ reader: 'locator', checker: 'reader', locator: null, other: null })), ['locator', 'reader', 'checker', 'other']);
    assert.deepEqual(modelOrder(models({ b: 'a', c: 'a', a: null })), ['a', 'b', 'c']);
    for (let trial = 0; trial < 20; trial++) {
      // Random forests of 8 models: every model's upstream comes first.
      const names = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
      const edges: Record<string, string | null> = {};
      names.forEach((name, i) => (edges[name] = i === 0 || (trial + i) % 3 === 0 ? null : (names[(i * 7 + trial) % i] as string)));
      const shuffledNames = [...names].sort((p, q) => ((p.charCodeAt(1) * (trial + 3)) % 11) - ((q.charCodeAt(1) * (trial + 3)) % 11));
      const spec = models(Object.fromEntries(shuffledNames.map((name) => [name, edges[name] ?? null])));
      const order = modelOrder(spec);
      assert.equal(order.length, names.length);
      for (const [name, from] of Object.entries(edges)) if (from !== null) assert.ok(order.indexOf(from) < order.indexOf(name), `${from} before ${name}`);
    }
  });

  test('GIVEN the data set header WHEN an `as` column already exists THEN the collision names the model', () => {
    const section = ModelsSection.parse(TWO_STAGE);
    assert.deepEqual(columnCollisionIssues(section.models, ['p0', 'cell', 'digit', 'image']), []);
    assert.deepEqual(columnCollisionIssues(section.models, ['p0', 'cell', 'digit', 'cell_pred']), [
      { path: ['models', 'reader', 'inputs', 'as'], message: 'is already a column of the data set: pick a new name for the predictions', input: 'cell_pred' },
    ]);
  });
});
