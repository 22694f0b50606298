/**
 * The sweep's state machine without Temporal: many seeded random orders of events (jobs ending, failing, killed
 * for memory, reporting epochs; stops and budget changes; TPE answers and resyncs; hand-overs) through the same
 * steps the workflow takes, checking after every event that no trial is launched twice, the trials never pass
 * maxTrials nor the running ones the GPU budget, and at the end that every trial ended and a stop says `user`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SweepMachine } from '../../core/sweep/machine/index.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { simulate } from '../support/sweepSimulator.js';

const pipeline = (sweep: string) =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: machine
data: { source: "sklearn:digits" }
train: { epochs: 4, batchSize: 64, schedule: { kind: one_cycle, maxLr: 0.05 } }
sweep:
${sweep}`);

const SPECS = {
  'grid + ASHA + OOM fallback': pipeline(`  space: { hidden: { choice: [8, 16, 32, 64, 128] }, dropout: { choice: [0, 0.25, 0.5] } }
  strategy: { kind: grid }
  earlyStopping: { kind: asha, gracePeriod: 1, reductionFactor: 2 }
  budget: { maxTrials: 12, gpuBudget: 3, maxFailedTrials: 4 }
  oomFallback: { batchSizeFactor: 0.5 }
  continueAsNewEvents: 60`),
  'random + median + deadline + repeats': pipeline(`  space: { hidden: { choice: [8, 16, 32, 64] }, dropout: { uniform: [0, 0.5] } }
  strategy: { kind: random, seed: 4 }
  earlyStopping: { kind: median, gracePeriod: 1, minTrials: 2 }
  repeats: 2
  budget: { maxTrials: 14, gpuBudget: 2, maxFailedTrials: 2, deadline: 10m }
  continueAsNewEvents: 45`),
  'TPE + ASHA': pipeline(`  space: { hidden: { choice: [8, 16, 32, 64] }, dropout: { uniform: [0, 0.5] } }
  strategy: { kind: tpe, seed: 9, nStartupTrials: 3 }
  earlyStopping: { kind: asha, gracePeriod: 1, reductionFactor: 2 }
  budget: { maxTrials: 12, gpuBudget: 4, gpusPerTrial: 2, maxFailedTrials: 5 }
  oomFallback: { batchSizeFactor: 0.5, memory: 16Gi }
  continueAsNewEvents: 50`),
};

describe('sweep state machine', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    test(`GIVEN ${name} WHEN 150 seeded random event orders run THEN no trial launches twice, budgets hold, every trial ends and a stop ends as user`, async () => {
      const totals = { handOvers: 0, stops: 0, refusedBelow: 0, stoppedBecause: new Set<string>() };
      for (let seed = 1; seed <= 150; seed++) {
        const outcome = await simulate(seed, spec.sweep!, spec.train, { outages: seed % 10 === 0 });
        totals.handOvers += outcome.handOvers;
        totals.stops += outcome.stops;
        totals.refusedBelow += outcome.refusedBelow;
        totals.stoppedBecause.add(outcome.end.kind === 'finish' ? outcome.end.result.stoppedBecause : outcome.end.type);
      }
      // The orders reach the situations the properties are about.
      assert.ok(totals.handOvers > 0, 'some orders hand over');
      assert.ok(totals.stops > 0, 'some orders stop the sweep');
      assert.ok(totals.refusedBelow > 0, 'some orders try to lower the budget below what ran');
      assert.ok(totals.stoppedBecause.has('user') && totals.stoppedBecause.has('completed'), [...totals.stoppedBecause].join(', '));
    });
  }

  test('GIVEN the same seed WHEN the event order is run twice THEN every decision is the same (deterministic)', async () => {
    for (const spec of Object.values(SPECS)) {
      const first = await simulate(7, spec.sweep!, spec.train);
      const second = await simulate(7, spec.sweep!, spec.train);
      assert.deepEqual(second.log, first.log);
    }
  });

  test('GIVEN a running sweep WHEN a person lowers maxTrials below the launched trials or the GPUs below the running ones THEN it is refused with the reason', () => {
    const spec = SPECS['grid + ASHA + OOM fallback'];
    const machine = new SweepMachine({ sweep: spec.sweep!, train: spec.train, maxLrByGroup: {}, runs: 1, carried: null, now: 0 });
    for (let i = 0; i < 3; i++) {
      machine.handle({ type: 'turn', now: 0, historyEvents: 1, historyBytes: 0 });
      assert.equal(machine.handle({ type: 'plan', now: 0 })[0]?.kind, 'launch');
    }
    assert.deepEqual(machine.refuseBudget({ maxTrials: 2 }), { type: 'BudgetRefused', message: '--max-trials 2: 3 trials have already been launched; the budget cannot go below that' });
    assert.equal(machine.refuseBudget({ gpuBudget: 2 })?.message, '--gpu-budget 2: 3 trials are running on 3 GPUs now; stop some or wait until they finish');
    assert.equal(machine.refuseBudget({})?.type, 'BadInput');
    assert.equal(machine.refuseBudget({ maxTrials: 3, gpuBudget: 3 }), null);
    const stops = machine.handle({ type: 'stopRequested', now: true, reason: 'enough' });
    assert.deepEqual(stops, [0, 1, 2].map((trial) => ({ kind: 'stopTrial', trial })));
    assert.match(machine.refuseStop()?.message ?? '', /already ending: stopped by a person \(--now: running trials stopped too\): enough after 3 trials/);
    for (const trial of [0, 1, 2]) machine.handle({ type: 'trialCancelled', trial, now: 1000, error: 'cancelled' });
    assert.deepEqual(machine.handle({ type: 'idle' }), [{ kind: 'end' }]);
    const end = machine.handle({ type: 'end' })[0];
    assert.equal(end?.kind === 'finish' ? `${end.result.stoppedBecause} ${end.result.stopped}` : end?.kind, 'user 3');
  });
});
