/** The sweep section's schema: defaults, and every bad input named by its path and value. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { formatProblem, problemsFromZod } from '../../core/spec/issues.js';
import { summarizeSweep } from '../../core/sweep/plan.js';
import { maxTrialEpochs, SweepSpec, sweepContextIssues, type SweepSpecInput } from '../../core/sweep/spec.js';

// The lead mounts SweepSpec at `sweep:`; parse it the same way so paths read `sweep.…`.
const Document = z.strictObject({ sweep: SweepSpec });

const BASE: SweepSpecInput = {
  space: { lr: { loguniform: [1e-4, 1e-1] }, batchSize: { choice: [32, 64] } },
  budget: { maxTrials: 20 },
};

function parse(sweep: unknown): SweepSpec {
  const result = Document.safeParse({ sweep }, { reportInput: true });
  assert.ok(result.success, result.success ? '' : problemsFromZod(result.error).map(formatProblem).join('\n'));
  return result.data.sweep;
}

function problems(sweep: unknown): string[] {
  const result = Document.safeParse({ sweep }, { reportInput: true });
  assert.equal(result.success, false, 'expected the sweep to be rejected');
  return result.success ? [] : problemsFromZod(result.error).map(formatProblem);
}

const withSpace = (space: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...BASE, space, ...extra });
const withField = (extra: Record<string, unknown>) => ({ ...BASE, ...extra });

describe('sweep spec: valid input and defaults', () => {
  test('a minimal sweep gets random search, no early stopping, 1 GPU, val_accuracy maximized, no repeats', () => {
    const sweep = parse(BASE);
    assert.deepEqual(sweep.strategy, { kind: 'random', seed: 0 });
    assert.deepEqual(sweep.earlyStopping, { kind: 'none' });
    assert.deepEqual(sweep.budget, { maxTrials: 20, maxFailedTrials: 3, gpusPerTrial: 1, gpuBudget: 1 });
    assert.deepEqual(sweep.objective, { metric: 'val_accuracy', direction: 'maximize' });
    assert.equal(sweep.repeats, 1);
    assert.deepEqual(sweep.space, BASE.space, 'the space is kept as written (it is recorded in the manifest)');
  });

  test('TPE and ASHA defaults follow Optuna and the issue (nStartupTrials 10, nEiCandidates 24, η 3, grace 1)', () => {
    const sweep = parse(withField({ strategy: 'tpe', earlyStopping: 'asha' }));
    assert.deepEqual(sweep.strategy, { kind: 'tpe', seed: 0, nStartupTrials: 10, nEiCandidates: 24, priorWeight: 1, constantLiar: false });
    assert.deepEqual(sweep.earlyStopping, { kind: 'asha', gracePeriod: 1, reductionFactor: 3 });
    assert.deepEqual(parse(withField({ earlyStopping: { kind: 'median' } })).earlyStopping, { kind: 'median', gracePeriod: 1, minTrials: 5 });
  });

  test('val_loss is minimized unless told otherwise; every parameter form is accepted', () => {
    const sweep = parse({
      space: {
        lrFactor: { loguniform: [0.3, 3] },
        dropout: { uniform: [0, 0.5] },
        hidden: { int: [32, 256], step: 32 },
        epochs: { choice: [10, 20] },
        optimizer: { choice: ['sgd', 'adamw', true, 1] },
        momentum: 0.9,
        batchSize: { int: [16, 128] },
      },
      strategy: { kind: 'random', seed: 3 },
      objective: { metric: 'val_loss' },
      budget: { maxTrials: 5, gpuBudget: 8, gpusPerTrial: 2, deadline: '6h' },
      lrGroups: ['batchSize'],
      repeats: 2,
    });
    assert.deepEqual(sweep.objective, { metric: 'val_loss', direction: 'minimize' });
    assert.equal(sweep.budget.deadline, '6h');
  });

  test('a grid over choices, ints and fixed values is valid', () => {
    parse({ space: { hidden: { int: [1, 3] }, act: { choice: ['relu', 'gelu'] }, wd: 0 }, strategy: 'grid', budget: { maxTrials: 6 } });
  });

  test('a single configuration is allowed when repeats asks for several runs of it', () => {
    parse({ space: { wd: 0.1 }, repeats: 5, budget: { maxTrials: 5 } });
  });
});

describe('sweep spec: every bad input names its path and value', () => {
  const cases: [string, unknown, RegExp][] = [
    ['an empty space', withSpace({}), /^sweep\.space: must name at least one parameter to search \(got \{\}\)$/],
    [
      'grid search over a continuous range',
      withSpace({ lr: { uniform: [0.001, 0.1] } }, { strategy: 'grid' }),
      /^sweep\.space\.lr: grid search needs discrete values \(choice, int or fixed\) \(got \{"uniform":\[0\.001,0\.1\]\}\)$/,
    ],
    [
      'grid search over a log-uniform range',
      withSpace({ lr: { loguniform: [0.001, 0.1] }, bs: { choice: [1, 2] } }, { strategy: { kind: 'grid' } }),
      /^sweep\.space\.lr: grid search needs discrete values .* \(got \{"loguniform":\[0\.001,0\.1\]\}\)$/,
    ],
    ['a GPU budget below one trial', withField({ budget: { maxTrials: 4, gpusPerTrial: 2, gpuBudget: 1 } }), /^sweep\.budget\.gpuBudget: is below one trial's GPUs \(budget\.gpusPerTrial 2\).* \(got 1\)$/],
    ['an unknown objective metric', withField({ objective: { metric: 'accuracy' } }), /^sweep\.objective\.metric: .*"val_accuracy".* \(got "accuracy"\)$/],
    ['a direction against the metric', withField({ objective: { metric: 'val_loss', direction: 'maximize' } }), /^sweep\.objective\.direction: val_loss improves when it falls: use minimize .* \(got "maximize"\)$/],
    ['an unknown direction', withField({ objective: { metric: 'val_loss', direction: 'down' } }), /^sweep\.objective\.direction: .* \(got "down"\)$/],
    ['uniform with low ≥ high', withSpace({ lr: { uniform: [0.1, 0.01] } }), /^sweep\.space\.lr\.uniform: low must be below high .* \(got \[0\.1,0\.01\]\)$/],
    ['uniform with low = high', withSpace({ lr: { uniform: [0.1, 0.1] } }), /^sweep\.space\.lr\.uniform: low must be below high .* \(got \[0\.1,0\.1\]\)$/],
    ['loguniform with low ≤ 0', withSpace({ lr: { loguniform: [0, 1] } }), /^sweep\.space\.lr\.loguniform: loguniform needs low > 0 \(got \[0,1\]\)$/],
    ['loguniform with negative low', withSpace({ lr: { loguniform: [-1, 1] } }), /^sweep\.space\.lr\.loguniform: loguniform needs low > 0 \(got \[-1,1\]\)$/],
    ['a range with one bound', withSpace({ lr: { uniform: [1] } }), /^sweep\.space\.lr\.uniform: .* \(got \[1\]\)$/],
    ['a fractional int bound', withSpace({ hidden: { int: [1.5, 8] } }), /^sweep\.space\.hidden\.int\[0\]: .* \(got 1\.5\)$/],
    ['an int range that misses its step', withSpace({ hidden: { int: [1, 10], step: 4 } }), /^sweep\.space\.hidden\.step: high − low \(9\) is not a multiple of step: use high 9 \(got 4\)$/],
    ['a zero int step', withSpace({ hidden: { int: [1, 10], step: 0 } }), /^sweep\.space\.hidden\.step: .* \(got 0\)$/],
    ['an empty choice', withSpace({ act: { choice: [] } }), /^sweep\.space\.act\.choice: must list at least one value \(got \[\]\)$/],
    ['duplicate choices', withSpace({ act: { choice: ['relu', 'gelu', 'relu'] } }), /^sweep\.space\.act\.choice: values must be distinct \("relu" repeated\) \(got \["relu","gelu","relu"\]\)$/],
    ['a choice of objects', withSpace({ act: { choice: [{ a: 1 }] } }), /^sweep\.space\.act\.choice\[0\]: .* \(got \{"a":1\}\)$/],
    ['an unknown key next to a form', withSpace({ lr: { uniform: [0, 1], log: true } }), /^sweep\.space\.lr\.log: unknown key \(got true\)$/],
    ['an unknown parameter form', withSpace({ lr: { normal: [0, 1] } }), /^sweep\.space\.lr: must be \{ uniform: \[low, high\] \}.* \(got \{"normal":\[0,1\]\}\)$/],
    ['a null parameter', withSpace({ lr: null }), /^sweep\.space\.lr: must be .* \(got null\)$/],
    ['a list instead of a choice', withSpace({ lr: [1, 2] }), /^sweep\.space\.lr: must be .* \(got \[1,2\]\)$/],
    ['a bad parameter name', withSpace({ '1x': 1, lr: { uniform: [0, 1] } }), /^sweep\.space\.1x: parameter names start with a letter.* \(got "1x"\)$/],
    ['an unknown sweep key', withField({ trials: 5 }), /^sweep\.trials: unknown key \(got 5\)$/],
    ['an unknown strategy', withField({ strategy: 'bayes' }), /^sweep\.strategy\.kind: .* \(got "bayes"\)$/],
    ['an unknown TPE option', withField({ strategy: { kind: 'tpe', nCandidates: 5 } }), /^sweep\.strategy\.nCandidates: unknown key \(got 5\)$/],
    ['gamma above 1', withField({ strategy: { kind: 'tpe', gamma: 1.5 } }), /^sweep\.strategy\.gamma: .* \(got 1\.5\)$/],
    ['a negative seed', withField({ strategy: { kind: 'random', seed: -1 } }), /^sweep\.strategy\.seed: .* \(got -1\)$/],
    ['TPE that would never run', withField({ strategy: { kind: 'tpe', nStartupTrials: 20 } }), /^sweep\.strategy\.nStartupTrials: TPE would never run.*maxTrials is 20.* \(got 20\)$/],
    ['ASHA maxResource below gracePeriod', withField({ earlyStopping: { kind: 'asha', gracePeriod: 4, maxResource: 3 } }), /^sweep\.earlyStopping\.maxResource: must be above gracePeriod \(4\).* \(got 3\)$/],
    ['ASHA maxResource equal to gracePeriod', withField({ earlyStopping: { kind: 'asha', gracePeriod: 3, maxResource: 3 } }), /^sweep\.earlyStopping\.maxResource: must be above gracePeriod \(3\).* \(got 3\)$/],
    ['ASHA reductionFactor 1', withField({ earlyStopping: { kind: 'asha', reductionFactor: 1 } }), /^sweep\.earlyStopping\.reductionFactor: .*>=2 \(got 1\)$/],
    ['ASHA gracePeriod 0', withField({ earlyStopping: { kind: 'asha', gracePeriod: 0 } }), /^sweep\.earlyStopping\.gracePeriod: .*>=1 \(got 0\)$/],
    ['a median rule that waits for every trial', withField({ earlyStopping: { kind: 'median', minTrials: 20 } }), /^sweep\.earlyStopping\.minTrials: median stopping would never stop a trial.* \(got 20\)$/],
    ['an unknown early-stopping kind', withField({ earlyStopping: 'hyperband' }), /^sweep\.earlyStopping\.kind: .* \(got "hyperband"\)$/],
    ['ASHA options on the median rule', withField({ earlyStopping: { kind: 'median', reductionFactor: 3 } }), /^sweep\.earlyStopping\.reductionFactor: unknown key \(got 3\)$/],
    ['no budget', { space: BASE.space }, /^sweep\.budget: /],
    ['zero maxTrials', withField({ budget: { maxTrials: 0 } }), /^sweep\.budget\.maxTrials: .*>=1 \(got 0\)$/],
    ['negative maxFailedTrials', withField({ budget: { maxTrials: 3, maxFailedTrials: -1 } }), /^sweep\.budget\.maxFailedTrials: .* \(got -1\)$/],
    ['zero GPUs per trial', withField({ budget: { maxTrials: 3, gpusPerTrial: 0 } }), /^sweep\.budget\.gpusPerTrial: .* \(got 0\)$/],
    ['a bad deadline', withField({ budget: { maxTrials: 3, deadline: 'tomorrow' } }), /^sweep\.budget\.deadline: must be a duration .* \(got "tomorrow"\)$/],
    ['an lrGroups name not in the space', withField({ lrGroups: ['bs'] }), /^sweep\.lrGroups\[0\]: is not a parameter of sweep\.space \(lr, batchSize\) \(got "bs"\)$/],
    ['lrGroups over a continuous parameter', withField({ lrGroups: ['lr'] }), /^sweep\.lrGroups\[0\]: needs a discrete parameter .* \(got "lr"\)$/],
    ['lrGroups naming lrFactor', withSpace({ lrFactor: { choice: [0.5, 1] } }, { lrGroups: ['lrFactor'] }), /^sweep\.lrGroups\[0\]: lrFactor scales .* \(got "lrFactor"\)$/],
    ['lrGroups naming a parameter twice', withField({ lrGroups: ['batchSize', 'batchSize'] }), /^sweep\.lrGroups\[1\]: is listed twice \(got "batchSize"\)$/],
    ['a continuous batch size', withSpace({ batchSize: { uniform: [16, 128] } }), /^sweep\.space\.batchSize: batchSize is a positive whole number.* \(got \{"uniform":\[16,128\]\}\)$/],
    ['a zero batch size among choices', withSpace({ batchSize: { choice: [0, 32] } }), /^sweep\.space\.batchSize: batchSize is a positive whole number.* \(got \{"choice":\[0,32\]\}\)$/],
    ['fractional epochs', withSpace({ epochs: 2.5, lr: { uniform: [0, 1] } }), /^sweep\.space\.epochs: epochs is a positive whole number.* \(got 2\.5\)$/],
    ['a negative lrFactor', withSpace({ lrFactor: { uniform: [-1, 2] } }), /^sweep\.space\.lrFactor: lrFactor multiplies the suggested max LR.* \(got \{"uniform":\[-1,2\]\}\)$/],
    ['a string lrFactor', withSpace({ lrFactor: { choice: ['x', 1] } }), /^sweep\.space\.lrFactor: lrFactor multiplies .* \(got \{"choice":\["x",1\]\}\)$/],
    ['a space with nothing to search', withSpace({ lr: 0.1, bs: { choice: [32] } }), /^sweep\.space: every parameter has a single value: nothing to search .* \(got \{"lr":0\.1,"bs":\{"choice":\[32\]\}\}\)$/],
    ['zero repeats', withField({ repeats: 0 }), /^sweep\.repeats: .*>=1 \(got 0\)$/],
  ];
  for (const [name, sweep, expected] of cases) {
    test(`rejects ${name}`, () => {
      const found = problems(sweep);
      assert.ok(found.some((line) => expected.test(line)), `no problem matched ${expected}:\n${found.join('\n')}`);
    });
  }

  test('reports every bad parameter at once', () => {
    const found = problems(withSpace({ a: { uniform: [2, 1] }, b: { choice: [] }, c: { loguniform: [0, 1] } }));
    assert.equal(found.length, 3, found.join('\n'));
  });
});

describe('sweep spec: checks against the rest of the pipeline', () => {
  const context = { trainEpochs: 20, rangeTest: true };
  const issues = (sweep: unknown, ctx = context) => sweepContextIssues(parse(sweep), ctx).map((i) => `${i.path.join('.')}: ${i.message}`);

  test('a consistent sweep has no issues', () => {
    assert.deepEqual(issues(withField({ earlyStopping: 'asha' })), []);
  });

  test('lrFactor and lrGroups need a range test', () => {
    const found = issues(withSpace({ lrFactor: { loguniform: [0.3, 3] }, batchSize: { choice: [32, 64] } }, { lrGroups: ['batchSize'] }), { trainEpochs: 20, rangeTest: false });
    assert.deepEqual(found, [
      'space.lrFactor: multiplies the LR range test suggestion: add train.lrFind (with a one_cycle schedule without maxLr)',
      'lrGroups: selects range tests, but the pipeline runs none: add train.lrFind',
    ]);
  });

  test('ASHA: maxResource above the trials’ epochs, or a default maxResource at the grace period', () => {
    assert.match(issues(withField({ earlyStopping: { kind: 'asha', maxResource: 30 } }))[0] ?? '', /^earlyStopping\.maxResource: is above the epochs any trial trains \(20\)/);
    assert.match(issues(withField({ earlyStopping: { kind: 'asha', gracePeriod: 5 } }), { trainEpochs: 5, rangeTest: true })[0] ?? '', /^earlyStopping\.gracePeriod: must be below maxResource \(5/);
  });

  test('median: a grace period as long as training never stops anything', () => {
    assert.match(issues(withField({ earlyStopping: { kind: 'median', gracePeriod: 20 } }))[0] ?? '', /^earlyStopping\.gracePeriod: must be below the trials' epochs \(20\)/);
  });

  test('the default ASHA maxResource is the largest epochs a trial trains', () => {
    assert.equal(maxTrialEpochs(parse(BASE).space, 12), 12);
    assert.equal(maxTrialEpochs(parse(withSpace({ epochs: { choice: [5, 30, 10] } })).space, 12), 30);
    assert.equal(maxTrialEpochs(parse(withSpace({ epochs: { int: [5, 25], step: 5 } })).space, 12), 25);
  });

  test('the issue input lets problemsFromZod show the value', () => {
    const [issue] = sweepContextIssues(parse(withSpace({ lrFactor: { loguniform: [0.3, 3] } })), { trainEpochs: 5, rangeTest: false });
    assert.ok(issue);
    const schema = z.object({ sweep: z.any() }).superRefine((_v, ctx) => ctx.addIssue({ code: 'custom', path: ['sweep', ...issue.path], message: issue.message, input: issue.input }));
    const result = schema.safeParse({ sweep: {} }, { reportInput: true });
    assert.ok(!result.success);
    assert.match(formatProblem(problemsFromZod(result.error)[0]!), /^sweep\.space\.lrFactor: multiplies .* \(got \{"loguniform":\[0\.3,3\]\}\)$/);
  });
});

describe('sweep plan summary', () => {
  test('a grid larger than maxTrials runs a seeded subset, and says so', () => {
    const summary = summarizeSweep(parse({ space: { a: { int: [1, 10] }, b: { choice: [1, 2, 3] } }, strategy: 'grid', budget: { maxTrials: 12, gpuBudget: 5, gpusPerTrial: 2 } }));
    assert.deepEqual(summary, {
      configurations: 30,
      trials: 12,
      concurrency: 2,
      notes: ['the grid has 30 configurations; maxTrials 12 runs a seeded random subset of them', '1 GPU(s) of the budget stay idle (2 trials × 2 GPUs)'],
    });
  });

  test('a small discrete space ends the sweep early; a continuous one never does', () => {
    const small = summarizeSweep(parse({ space: { a: { choice: [1, 2, 3] } }, budget: { maxTrials: 10 }, repeats: 2 }));
    assert.equal(small.trials, 6);
    assert.deepEqual(small.notes, ['the space has only 3 configurations: the sweep ends after 6 trials']);
    assert.equal(summarizeSweep(parse(BASE)).configurations, Infinity);
  });
});
