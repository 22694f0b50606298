/** From a search space to configurations: grid order, seeded random draws, no duplicates, exhaustion. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configKey, describeConfig, type TrialConfig } from '../../core/sweep/config.js';
import { mixSeed, permuteIndex } from '../../core/sweep/hash.js';
import { planTrial, type TrialPlan } from '../../core/sweep/plan.js';
import {
  gridConfig,
  lexicographicConfig,
  lrGroupConfigs,
  lrGroupKey,
  MAX_ATTEMPTS,
  randomConfig,
  randomDraw,
  spaceDomains,
  spaceSize,
  trialSettings,
} from '../../core/sweep/space.js';
import { SweepSpec, type SweepSpace, type SweepSpecInput } from '../../core/sweep/spec.js';

const sweepOf = (input: SweepSpecInput) => SweepSpec.parse(input);

/** Plans trials 0, 1, … in order as a workflow does, keeping the used set; stops at the first 'done'. */
function planAll(sweep: SweepSpec, limit = sweep.budget.maxTrials + 1): TrialPlan[] {
  const used = new Set<string>();
  const plans: TrialPlan[] = [];
  for (let trial = 0; trial < limit; trial++) {
    const plan = planTrial({ sweep, trial, used });
    plans.push(plan);
    if (plan.kind === 'new') used.add(plan.key);
    if (plan.kind === 'done') break;
  }
  return plans;
}
const configsOf = (plans: TrialPlan[]) => plans.flatMap((p) => (p.kind === 'new' ? [p.config] : []));

describe('configuration keys', () => {
  test('the key is canonical JSON: key order does not matter, types do', () => {
    assert.equal(configKey({ b: 1, a: 'x' }), '{"a":"x","b":1}');
    assert.equal(configKey({ a: 'x', b: 1 }), configKey({ b: 1, a: 'x' }));
    assert.notEqual(configKey({ a: 1 }), configKey({ a: '1' }));
    assert.equal(describeConfig({ lr: 0.031234, batchSize: 64, act: 'relu' }), 'act relu · batchSize 64 · lr 0.0312');
  });

  test('mixSeed separates numbers from strings and parts from each other', () => {
    const seeds = [mixSeed(0, 1), mixSeed(1, 0), mixSeed(0, '1'), mixSeed('0', 1), mixSeed(0, 1, 0), mixSeed(2 ** 40, 1), mixSeed(0, 1 + 2 ** 32)];
    assert.equal(new Set(seeds).size, seeds.length);
    assert.equal(mixSeed(7, 'x', 3), mixSeed(7, 'x', 3));
  });

  test('permuteIndex is a bijection of [0, n) and depends on the seed', () => {
    for (const n of [1, 2, 3, 7, 16, 17, 100, 1000, 4097]) {
      const image = Array.from({ length: n }, (_, i) => permuteIndex(i, n, 42));
      assert.deepEqual([...image].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `n = ${n}`);
    }
    const a = Array.from({ length: 100 }, (_, i) => permuteIndex(i, 100, 1));
    const b = Array.from({ length: 100 }, (_, i) => permuteIndex(i, 100, 2));
    assert.notDeepEqual(a, b);
    assert.ok(permuteIndex(123_456_789, 2 ** 40, 5) < 2 ** 40, 'large grids need no table');
  });
});

// Pinned: the grid's order for this spec must never change silently (replays and resumed sweeps rely on it).
const GRID_ORDER_SEED_3 = ['3y', '2y', '1x', '1y', '3x', '2x'];

describe('grid', () => {
  const space: SweepSpace = { b: { choice: ['x', 'y'] }, a: { int: [1, 3] }, c: 0.5 };
  const domains = spaceDomains(space);

  test('the lexicographic product: names sorted, choices as written, ints ascending, the last name fastest', () => {
    assert.equal(spaceSize(domains), 6);
    const lexicographic = Array.from({ length: 6 }, (_, i) => lexicographicConfig(domains, i));
    assert.deepEqual(lexicographic, [
      { a: 1, b: 'x', c: 0.5 },
      { a: 1, b: 'y', c: 0.5 },
      { a: 2, b: 'x', c: 0.5 },
      { a: 2, b: 'y', c: 0.5 },
      { a: 3, b: 'x', c: 0.5 },
      { a: 3, b: 'y', c: 0.5 },
    ]);
  });

  test('the grid visits every configuration once, in an order fixed by the seed', () => {
    const sweep = sweepOf({ space, strategy: { kind: 'grid', seed: 3 }, budget: { maxTrials: 10 } });
    const plans = planAll(sweep);
    const configs = configsOf(plans);
    assert.equal(configs.length, 6);
    assert.equal(new Set(configs.map(configKey)).size, 6);
    assert.deepEqual(plans[6], { kind: 'done', trial: 6, reason: 'grid complete: all 6 configurations planned' });
    assert.deepEqual(configs, configsOf(planAll(sweep)), 'the same spec gives the same list');
    // The order is the seeded permutation of the lexicographic list, written out so a change of order is noticed.
    assert.deepEqual(
      configs,
      Array.from({ length: 6 }, (_, k) => lexicographicConfig(domains, permuteIndex(k, 6, mixSeed(3, 'grid')))),
    );
    assert.deepEqual(configs.map((c) => `${c.a}${c.b}`), GRID_ORDER_SEED_3);
    const other = configsOf(planAll(sweepOf({ space, strategy: { kind: 'grid', seed: 4 }, budget: { maxTrials: 10 } })));
    assert.notDeepEqual(other, configs);
  });

  test('a grid larger than maxTrials runs the first maxTrials of its seeded order', () => {
    const big: SweepSpace = { p: { int: [0, 9] }, q: { int: [0, 9] } };
    const all = configsOf(planAll(sweepOf({ space: big, strategy: 'grid', budget: { maxTrials: 100 } })));
    const cut = planAll(sweepOf({ space: big, strategy: 'grid', budget: { maxTrials: 10 } }));
    assert.deepEqual(configsOf(cut), all.slice(0, 10));
    assert.deepEqual(cut[10], { kind: 'done', trial: 10, reason: 'budget.maxTrials (10) reached' });
    // Not one corner of the grid: the first ten cover several values of the slowest parameter.
    assert.ok(new Set(configsOf(cut).map((c) => c.p)).size >= 4);
  });

  test('trial k of the grid is computed on its own (no list to rebuild after a crash)', () => {
    assert.deepEqual(gridConfig(domains, 3, 4), lexicographicConfig(domains, permuteIndex(4, 6, mixSeed(3, 'grid'))));
  });

  test('repeats run each configuration several times, as consecutive trials', () => {
    const plans = planAll(sweepOf({ space: { a: { choice: [1, 2] } }, strategy: 'grid', repeats: 3, budget: { maxTrials: 10 } }));
    assert.deepEqual(
      plans.map((p) => (p.kind === 'repeat' ? `r${p.sameAsTrial}` : p.kind)),
      ['new', 'r0', 'r0', 'new', 'r3', 'r3', 'done'],
    );
  });
});
describe('random search', () => {
  const space: SweepSpace = { lr: { loguniform: [1e-4, 1e-1] }, dropout: { uniform: [0, 0.5] }, hidden: { int: [32, 256], step: 32 }, act: { choice: ['relu', 'gelu', 'tanh'] }, wd: 0 };
  const domains = spaceDomains(space);

  test('every value lies in its domain', () => {
    for (let slot = 0; slot < 500; slot++) {
      const c = randomDraw(domains, 9, slot);
      assert.ok((c.lr as number) >= 1e-4 && (c.lr as number) <= 1e-1);
      assert.ok((c.dropout as number) >= 0 && (c.dropout as number) < 0.5);
      assert.ok(Number.isInteger(((c.hidden as number) - 32) / 32) && (c.hidden as number) >= 32 && (c.hidden as number) <= 256);
      assert.ok(['relu', 'gelu', 'tanh'].includes(c.act as string));
      assert.equal(c.wd, 0);
    }
  });

  test('the same seed gives the same configurations; another seed others', () => {
    const sweep = sweepOf({ space, strategy: { kind: 'random', seed: 5 }, budget: { maxTrials: 30 } });
    const first = configsOf(planAll(sweep));
    assert.equal(first.length, 30);
    assert.deepEqual(configsOf(planAll(sweep)), first);
    assert.notDeepEqual(configsOf(planAll(sweepOf({ space, strategy: { kind: 'random', seed: 6 }, budget: { maxTrials: 30 } }))), first);
  });

  test("trial k's configuration depends only on (seed, k): not on other trials, results, or what was drawn before", () => {
    const direct = randomDraw(domains, 5, 17);
    for (let i = 0; i < 50; i++) randomDraw(domains, 5, i); // other draws in between change nothing
    assert.deepEqual(randomDraw(domains, 5, 17), direct);
    // A replay that plans trial 17 alone, with another set of (irrelevant) used keys, gets the same configuration.
    const replayed = randomConfig(domains, 5, 17, new Set(['{"x":1}']));
    assert.ok(replayed.ok);
    assert.deepEqual(replayed.config, direct);
    const planned = configsOf(planAll(sweepOf({ space, strategy: { kind: 'random', seed: 5 }, budget: { maxTrials: 30 } })));
    assert.deepEqual(planned[17], direct);
  });

  test('adding a parameter leaves the other parameters’ draws unchanged', () => {
    const wider = spaceDomains({ ...space, extra: { uniform: [0, 1] } });
    const a = randomDraw(domains, 5, 3);
    const { extra: _extra, ...b } = randomDraw(wider, 5, 3);
    assert.deepEqual(b, a);
  });

  test('log-uniform draws are uniform in log space', () => {
    const logs = Array.from({ length: 4000 }, (_, k) => Math.log10(randomDraw(domains, 1, k).lr as number));
    const below = logs.filter((v) => v < -2.5).length / logs.length; // the midpoint of [-4, -1] in log10
    assert.ok(Math.abs(below - 0.5) < 0.03, `fraction below the log midpoint: ${below}`);
  });
});

describe('no duplicates on discrete spaces', () => {
  const small: SweepSpace = { a: { choice: [1, 2, 3] }, b: { int: [0, 3] } }; // 12 configurations

  test('random search gives 12 distinct configurations, then reports the space exhausted', () => {
    const plans = planAll(sweepOf({ space: small, budget: { maxTrials: 20 } }));
    const configs = configsOf(plans);
    assert.equal(configs.length, 12);
    assert.equal(new Set(configs.map(configKey)).size, 12);
    const last = plans[plans.length - 1];
    assert.deepEqual(last, { kind: 'done', trial: 12, reason: 'search space exhausted: all 12 configurations of the space have been tried' });
  });

  test('a collision is redrawn deterministically, and the result is replayable', () => {
    const domains = spaceDomains(small);
    const taken = new Set([configKey(randomDraw(domains, 0, 0, 0))]);
    const result = randomConfig(domains, 0, 0, taken);
    assert.ok(result.ok);
    assert.ok(result.attempts >= 1, 'the first draw was taken');
    assert.deepEqual(randomConfig(domains, 0, 0, taken), result);
  });

  test('a nearly full space finds its last configuration even when every draw collides', () => {
    const domains = spaceDomains(small);
    const all = Array.from({ length: 12 }, (_, i) => lexicographicConfig(domains, i));
    const missing = all[7] as TrialConfig;
    const used = new Set(all.filter((_, i) => i !== 7).map(configKey));
    const result = randomConfig(domains, 11, 40, used);
    assert.ok(result.ok);
    assert.deepEqual(result.config, missing);
    assert.ok(result.via === 'draw' || (result.via === 'unused' && result.attempts === MAX_ATTEMPTS));
    const full = randomConfig(domains, 11, 40, new Set(all.map(configKey)));
    assert.deepEqual(full, { ok: false, reason: 'exhausted', message: 'all 12 configurations of the space have been tried' });
  });

  test('used keys from outside the space (an edited spec) do not count towards exhaustion', () => {
    const domains = spaceDomains({ a: { choice: [1, 2] } });
    const result = randomConfig(domains, 0, 0, new Set(['{"a":9}', '{"b":1}']));
    assert.ok(result.ok);
  });

  test('repeats run the same configuration again only when asked', () => {
    const plans = planAll(sweepOf({ space: small, repeats: 2, budget: { maxTrials: 6 } }));
    assert.deepEqual(plans.map((p) => p.kind), ['new', 'repeat', 'new', 'repeat', 'new', 'repeat', 'done']);
    assert.equal(new Set(configsOf(plans).map(configKey)).size, 3);
  });
});

describe('trial settings and range-test groups', () => {
  test('lrFactor, batchSize and epochs are split from the hyperparameters', () => {
    assert.deepEqual(trialSettings({ lrFactor: 0.5, batchSize: 64, epochs: 10, dropout: 0.1, act: 'relu' }), {
      hyperparameters: { dropout: 0.1, act: 'relu' },
      lrFactor: 0.5,
      batchSize: 64,
      epochs: 10,
    });
    assert.deepEqual(trialSettings({ dropout: 0.1 }), { hyperparameters: { dropout: 0.1 }, lrFactor: 1 });
  });

  test('one range test per distinct combination of the lrGroups parameters', () => {
    const space: SweepSpace = { batchSize: { choice: [32, 64] }, lrFactor: { loguniform: [0.3, 3] }, opt: { choice: ['sgd', 'adam'] } };
    assert.deepEqual(lrGroupConfigs(space, ['batchSize']), [{ batchSize: 32 }, { batchSize: 64 }]);
    assert.equal(lrGroupConfigs(space, ['opt', 'batchSize']).length, 4);
    assert.deepEqual(lrGroupConfigs(space), [{}], 'no groups: one range test');
    assert.equal(lrGroupKey({ batchSize: 64, lrFactor: 1.2, opt: 'sgd' }, ['batchSize']), '{"batchSize":64}');
    assert.equal(lrGroupKey({ batchSize: 64, lrFactor: 2.5, opt: 'adam' }, ['batchSize']), '{"batchSize":64}');
    assert.equal(lrGroupKey({ batchSize: 64 }), '{}');
  });
});
