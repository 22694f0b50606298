/** The TPE planner activity's observation cache: deltas give the same plan as the whole list; a stale base resyncs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { suggestTrial } from '../../activities/sweepPlanner.js';
import { configKey } from '../../core/sweep/config.js';
import { planTrial } from '../../core/sweep/plan.js';
import { SweepSpec } from '../../core/sweep/spec.js';
import type { TpeObservation } from '../../core/sweep/tpe.js';

const sweep = SweepSpec.parse({
  space: { lrFactor: { loguniform: [0.1, 3] }, hidden: { choice: [32, 64, 128] } },
  strategy: { kind: 'tpe', seed: 2, nStartupTrials: 3 },
  budget: { maxTrials: 30, gpuBudget: 2 },
});

describe('TPE planner activity', () => {
  test('GIVEN observations sent as deltas WHEN TPE plans each trial THEN every plan equals planning from the whole list; a stale base asks for a resync', async () => {
    const observations: TpeObservation[] = [];
    let base: number | null = null;
    for (let trial = 0; trial < 12; trial++) {
      // The previous trial finished with a value, and this one starts: only those two travel.
      const changed = observations.slice(Math.max(0, trial - 2));
      const answer = await suggestTrial({ sweep, trial, count: 1, key: 'run-a', version: trial + 1, base, changes: base === null ? observations : changed });
      assert.equal(answer.kind, 'plans');
      const plan = answer.kind === 'plans' ? answer.plans[0] : null;
      const expected = planTrial({ sweep, trial, used: new Set(observations.map((o) => configKey(o.config))), observations });
      assert.deepEqual(plan, expected, `trial ${trial}`);
      if (plan?.kind !== 'new') throw new Error('expected a new configuration');
      observations.push({ trial, config: plan.config, state: 'running', value: null });
      const previous = observations[trial - 1];
      if (previous) observations[trial - 1] = { ...previous, state: 'completed', value: Number(previous.config.lrFactor) / 3 };
      base = trial + 1;
    }
    assert.deepEqual(await suggestTrial({ sweep, trial: 12, count: 1, key: 'run-a', version: 99, base: 5, changes: [] }), { kind: 'resync' });
    assert.deepEqual(await suggestTrial({ sweep, trial: 0, count: 1, key: 'never-seen', version: 2, base: 1, changes: [] }), { kind: 'resync' });
  });

  test('GIVEN three free slots WHEN one call plans them THEN the plans equal three calls in a row, each seeing the ones before as running', async () => {
    const observations: TpeObservation[] = Array.from({ length: 8 }, (_, trial) => ({ trial, config: { lrFactor: 0.2 + trial * 0.3, hidden: [32, 64, 128][trial % 3] as number }, state: 'completed', value: trial / 10 }));
    const batch = await suggestTrial({ sweep, trial: 8, count: 3, key: 'run-b', version: 1, base: null, changes: observations });
    const oneByOne = [];
    const seen = [...observations];
    for (let trial = 8; trial < 11; trial++) {
      const plan = planTrial({ sweep, trial, used: new Set(seen.map((o) => configKey(o.config))), observations: seen });
      oneByOne.push(plan);
      if (plan.kind === 'new') seen.push({ trial, config: plan.config, state: 'running', value: null });
    }
    assert.deepEqual(batch, { kind: 'plans', plans: oneByOne });
  });
});
