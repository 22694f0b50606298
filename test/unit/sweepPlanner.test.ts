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
      const answer = await suggestTrial({ sweep, trial, key: 'run-a', version: trial + 1, base, changes: base === null ? observations : changed });
      assert.equal(answer.kind, 'plan');
      const plan = answer.kind === 'plan' ? answer.plan : null;
      const expected = planTrial({ sweep, trial, used: new Set(observations.map((o) => configKey(o.config))), observations });
      assert.deepEqual(plan, expected, `trial ${trial}`);
      if (plan?.kind !== 'new') throw new Error('expected a new configuration');
      observations.push({ trial, config: plan.config, state: 'running', value: null });
      const previous = observations[trial - 1];
      if (previous) observations[trial - 1] = { ...previous, state: 'completed', value: Number(previous.config.lrFactor) / 3 };
      base = trial + 1;
    }
    assert.deepEqual(await suggestTrial({ sweep, trial: 12, key: 'run-a', version: 99, base: 5, changes: [] }), { kind: 'resync' });
    assert.deepEqual(await suggestTrial({ sweep, trial: 0, key: 'never-seen', version: 2, base: 1, changes: [] }), { kind: 'resync' });
  });
});
