/**
 * ASHA and the median stopping rule on small, hand-checked cases. Each expected decision is derived in a comment from
 * the published rule: Ray's `_Bracket.on_result` / `cutoff` (np.nanpercentile, linear) for ASHA, Optuna's
 * PercentilePruner(50) for the median rule.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ashaCutoff, ashaInitialState, ashaMilestones, ashaQuantile, ashaStep, type AshaOptions, type AshaState } from '../../core/sweep/asha.js';
import { medianInitialState, medianStep, type MedianEvent, type MedianOptions, type MedianState } from '../../core/sweep/median.js';
import { EMPTY_RANKED, linearPercentile, orientedPercentile, rawPercentile, withValue, type RankedValues } from '../../core/sweep/percentile.js';
import type { StoppingDecision } from '../../core/sweep/stopping.js';

/** Trials are named by letters in the cases below; the rules take trial numbers: A = 0, B = 1, … */
const trial = (name: string) => name.charCodeAt(0) - 65;

/** Feeds reports `[trial letter, epoch, value]` in order; returns every decision and the final state. */
function runAsha(options: AshaOptions, reports: [string, number, number | null][], start = ashaInitialState(options)) {
  let state: AshaState = start;
  const decisions: StoppingDecision[] = [];
  for (const [name, epoch, value] of reports) {
    const step = ashaStep(options, state, { type: 'report', trial: trial(name), epoch, value });
    state = step.state;
    decisions.push(step.decision);
  }
  return { state, decisions, actions: decisions.map((d) => d.action) };
}

describe('numpy linear percentile', () => {
  test('matches numpy.percentile(method="linear") on hand-computed values', () => {
    assert.equal(linearPercentile([2, 4], 0.5), 3); // np.percentile([2, 4], 50) = 3
    assert.equal(linearPercentile([4, 1, 2], 0.5), 2);
    assert.equal(linearPercentile([1, 2, 3, 4], 0.75), 3.25); // h = 3·0.75 = 2.25 → 3 + 0.25·1
    assert.equal(linearPercentile([5], 0.9), 5);
    assert.equal(linearPercentile([], 0.5), undefined);
  });

  test('an infinite (worst) neighbour pulls the interpolation to itself', () => {
    assert.equal(linearPercentile([-Infinity, 0.1], 0.6), -Infinity);
    assert.equal(linearPercentile([-Infinity, -Infinity, 0.1, 0.2], 0.5), -Infinity); // h = 1.5: between −∞ and 0.1
    assert.equal(linearPercentile([-Infinity, 0.1, 0.2], 0.75), 0.15000000000000002); // h = 1.5: between 0.1 and 0.2
    assert.equal(linearPercentile([0.1, Infinity], 0.5), Infinity);
  });
});

describe('sorted values with missing ones (the rules’ state)', () => {
  const ranked = [0.3, null, 0.1, 0.2].reduce<RankedValues>((r, v) => withValue(r, v), EMPTY_RANKED);

  test('values stay sorted; missing ones are counted apart', () => {
    assert.deepEqual(ranked, { values: [0.1, 0.2, 0.3], missing: 1 });
    assert.deepEqual(EMPTY_RANKED, { values: [], missing: 0 }, 'withValue never modifies its input');
  });

  test('percentiles put missing values at the worst end, and match linearPercentile on the same numbers', () => {
    // maximize: {−∞, 0.1, 0.2, 0.3}; minimize: {0.1, 0.2, 0.3, +∞}.
    assert.equal(rawPercentile(ranked, 0.5, 'maximize'), linearPercentile([-Infinity, 0.1, 0.2, 0.3], 0.5));
    assert.equal(rawPercentile(ranked, 0.5, 'minimize'), linearPercentile([0.1, 0.2, 0.3, Infinity], 0.5));
    // oriented (Ray's metric_op): minimize negates: {−∞, −0.3, −0.2, −0.1}.
    assert.equal(orientedPercentile(ranked, 2 / 3, 'minimize'), linearPercentile([-Infinity, -0.3, -0.2, -0.1], 2 / 3));
    assert.equal(orientedPercentile(ranked, 2 / 3, 'maximize'), linearPercentile([-Infinity, 0.1, 0.2, 0.3], 2 / 3));
    assert.equal(rawPercentile(EMPTY_RANKED, 0.5, 'maximize'), undefined);
  });
});

describe('ASHA rungs', () => {
  test('milestones are gracePeriod × η^k up to maxResource', () => {
    assert.deepEqual(ashaMilestones({ gracePeriod: 1, reductionFactor: 3, maxResource: 27 }), [1, 3, 9, 27]);
    assert.deepEqual(ashaMilestones({ gracePeriod: 2, reductionFactor: 2, maxResource: 20 }), [2, 4, 8, 16]);
    assert.deepEqual(ashaMilestones({ gracePeriod: 1, reductionFactor: 4, maxResource: 100 }), [1, 4, 16, 64]);
  });

  test("Ray's quantile 1 − 1/η goes through the same float steps as ((1 − 1/η)·100)/100 in numpy", () => {
    assert.equal(ashaQuantile(2), 0.5);
    assert.equal(ashaQuantile(4), 0.75);
    assert.equal(ashaQuantile(3), 0.6666666666666667);
  });
});

describe('ASHA decisions (hand-checked against Ray)', () => {
  const max = (extra: Partial<AshaOptions> = {}): AshaOptions => ({ gracePeriod: 1, reductionFactor: 3, maxResource: 27, direction: 'maximize', metric: 'val_accuracy', ...extra });

  test("the example in Ray's _Bracket docstring (η = 2)", () => {
    // b = _Bracket(min_t=1, max_t=10, rf=2): on_result(t1, 1, 2) CONTINUE; on_result(t2, 1, 4) CONTINUE;
    // cutoff({2, 4}) = percentile 50 = 3.0; on_result(t3, 1, 1) STOP (1 < 3); then cutoff({2, 4, 1}) = 2.0.
    const options = max({ reductionFactor: 2, maxResource: 10 });
    const first = runAsha(options, [['A', 1, 2], ['B', 1, 4]]);
    assert.deepEqual(first.actions, ['continue', 'continue']);
    assert.equal(ashaCutoff(first.state.rungs[0]!, 2, 'maximize'), 3);
    const third = runAsha(options, [['C', 1, 1]], first.state);
    assert.deepEqual(third.actions, ['stop']);
    assert.equal(ashaCutoff(third.state.rungs[0]!, 2, 'maximize'), 2);
  });

  test('η = 3, maximize: the cutoff is the 2/3 quantile of the values recorded before', () => {
    const { decisions, actions } = runAsha(max(), [
      ['A', 1, 0.8], //  first at the rung: continue
      ['B', 1, 0.85], // values {0.80}: cutoff 0.80; 0.85 ≥ 0.80: continue
      ['C', 1, 0.82], // {0.80, 0.85}: h = 1·2/3, cutoff 0.85 − 0.05·(1/3) = 0.8333; 0.82 < 0.8333: stop
      ['D', 1, 0.85], // {0.80, 0.82, 0.85}: h = 2·2/3 = 1.333, cutoff 0.82 + 0.03·(1/3) = 0.83; continue
      ['E', 1, 0.83], // {0.80, 0.82, 0.85, 0.85}: h = 3·2/3 = 2, cutoff 0.85; 0.83 < 0.85: stop
    ]);
    assert.deepEqual(actions, ['continue', 'continue', 'stop', 'continue', 'stop']);
    assert.equal(decisions[0]!.reason, 'rung at epoch 1: first trial at this rung');
    assert.equal(decisions[2]!.reason, 'rung at epoch 1: val_accuracy 0.82 below the cutoff 0.8333 of 2 trial(s)');
    assert.equal(decisions[3]!.reason, 'rung at epoch 1: val_accuracy 0.85 not worse than the cutoff 0.83 of 3 trial(s)');
    assert.deepEqual({ ...decisions[2], reason: '' }, { action: 'stop', reason: '', epoch: 1, value: 0.82, milestone: 1, threshold: 0.8333333333333334, basis: 2 });
  });

  test('ties: a value equal to the cutoff continues (Ray stops only when cur_rew < cutoff)', () => {
    // {0.5, 0.75, 0.75}: h = 2·2/3 = 1.333 between 0.75 and 0.75: cutoff 0.75.
    const base = runAsha(max(), [['A', 1, 0.5], ['B', 1, 0.75], ['C', 1, 0.75]]).state;
    assert.deepEqual(runAsha(max(), [['Y', 1, 0.75]], base).actions, ['continue']); // equal: continues
    assert.deepEqual(runAsha(max(), [['Z', 1, 0.74]], base).actions, ['stop']);
    // All equal: {0.5, 0.5}: cutoff 0.5; another 0.5 continues.
    assert.deepEqual(runAsha(max(), [['A', 1, 0.5], ['B', 1, 0.5], ['C', 1, 0.5]]).actions, ['continue', 'continue', 'continue']);
  });

  test('minimize: values are negated as Ray’s metric_op does', () => {
    const { decisions, actions } = runAsha(max({ direction: 'minimize', metric: 'val_loss' }), [
      ['A', 1, 0.5], //  first: continue
      ['B', 1, 0.4], //  {−0.5}: cutoff −0.5; −0.4 ≥ −0.5: continue
      ['C', 1, 0.45], // {−0.5, −0.4}: cutoff −0.4 − 0.1·(1/3) = −0.4333, i.e. a loss of 0.4333; −0.45 < −0.4333: stop
      ['D', 1, 0.42], // {−0.5, −0.45, −0.4}: h = 1.333, cutoff −0.45 + 0.05·(1/3) = −0.4333; −0.42 ≥: continue
    ]);
    assert.deepEqual(actions, ['continue', 'continue', 'stop', 'continue']);
    assert.equal(decisions[2]!.reason, 'rung at epoch 1: val_loss 0.45 above the cutoff 0.4333 of 2 trial(s)');
    assert.equal(decisions[2]!.threshold, 0.43333333333333335);
  });

  test('each trial is judged once per rung, at the first report that reaches it', () => {
    const { decisions, actions } = runAsha(max(), [
      ['A', 1, 0.8], //  rung 1: first, continue
      ['A', 2, 0.9], //  no rung at 2
      ['A', 3, 0.9], //  rung 3: first, continue
      ['A', 3, 0.1], //  the same epoch again (a replayed event): rung 3 already has A
      ['B', 1, 0.7], //  rung 1 {0.8}: 0.7 < 0.8, stop
      ['B', 2, 0.99], // already stopped: the same answer, whatever the value
    ]);
    assert.deepEqual(actions, ['continue', 'continue', 'continue', 'continue', 'stop', 'stop']);
    assert.equal(decisions[1]!.reason, 'no new rung reached');
    assert.equal(decisions[3]!.reason, 'no new rung reached');
    assert.equal(decisions[5]!.reason, 'already stopped at epoch 1');
  });

  test("a report that skips milestones is judged at the highest one reached (Ray's loop), lower ones later", () => {
    // Rungs 1, 3, 9. A reports epoch 4 first: Ray walks milestones from the top and records at 3.
    const { state, actions } = runAsha(max(), [['X', 3, 0.9], ['A', 4, 0.95]]);
    assert.deepEqual(actions, ['continue', 'continue']); // A: rung 3 {0.9}: 0.95 ≥ 0.9
    assert.deepEqual(state.rungs.map((r) => r.values), [[], [0.9, 0.95], [], []]);
    assert.equal(state.recorded[trial('A')], 0b10, 'A is recorded at rung 3 (bit 1) only');
    // Its next report finds rung 3 taken and goes down to rung 1, as Ray's `continue` does.
    const next = runAsha(max(), [['A', 5, 0.6]], state);
    assert.deepEqual(next.state.rungs[0]!.values, [0.6]);
    assert.equal(next.state.recorded[trial('A')], 0b11);
  });

  test('at maxResource the trial is complete: stopped with complete = true, its value still recorded', () => {
    const options = max({ maxResource: 9 }); // rungs 1, 3, 9
    const { decisions, state } = runAsha(options, [['A', 1, 0.8], ['A', 3, 0.85], ['A', 9, 0.9]]);
    assert.deepEqual(decisions[2], { epoch: 9, value: 0.9, action: 'stop', complete: true, reason: 'reached maxResource (9 epochs)' });
    assert.deepEqual(state.rungs.map((r) => r.values), [[0.8], [0.85], [0.9]]);
  });

  test('NaN counts as worst: the trial reporting it stops, even as the first at its rung', () => {
    // Ray would continue it (nan < cutoff is False, and there is no cutoff for the first trial).
    const { decisions, state } = runAsha(max(), [['A', 1, NaN]]);
    assert.equal(decisions[0]!.action, 'stop');
    assert.equal(decisions[0]!.reason, 'rung at epoch 1: val_accuracy is NaN or missing, counted as worst');
    assert.deepEqual(state.rungs[0], { milestone: 1, values: [], missing: 1 }, 'counted apart: the state stays JSON');
    // The rung is then {−∞}: the cutoff is −∞ and any real value continues.
    const next = runAsha(max(), [['B', 1, 0.1], ['C', 1, 0.05]], state);
    // C: {−∞, 0.1}, h = 2/3 between −∞ and 0.1: the cutoff is −∞; 0.05 continues.
    assert.deepEqual(next.actions, ['continue', 'continue']);
    assert.equal(next.decisions[1]!.reason, 'rung at epoch 1: val_accuracy 0.05 not worse than the cutoff -inf of 2 trial(s)');
    assert.equal(next.decisions[1]!.threshold, null);
  });

  test('NaN values count towards the rung (Ray drops them with nanpercentile)', () => {
    const base = runAsha(max(), [['A', 1, 0.8], ['B', 1, 0.9], ['N', 1, null]]);
    assert.deepEqual(base.actions, ['continue', 'continue', 'stop']); // N: missing value, worst
    // {−∞, 0.8, 0.9}: h = 2·2/3 = 1.333: cutoff 0.8 + 0.1/3 = 0.8333. (Ray, dropping the NaN: {0.8, 0.9} → 0.8667.)
    assert.equal(ashaCutoff(base.state.rungs[0]!, 3, 'maximize'), 0.8333333333333334);
    assert.deepEqual(runAsha(max(), [['C', 1, 0.85]], base.state).actions, ['continue']); // Ray would stop it
    assert.deepEqual(runAsha(max(), [['D', 1, 0.82]], base.state).actions, ['stop']);
    // Minimize: NaN is still the worst (an infinite loss).
    const loss = runAsha(max({ direction: 'minimize' }), [['A', 1, 0.3], ['B', 1, NaN], ['C', 1, 0.4]]);
    assert.deepEqual(loss.actions, ['continue', 'stop', 'continue']); // C: {−0.3, −∞}: h = 2/3 → −∞: continue
  });

  test('the state survives a JSON round trip (continue-as-new) and decides the same afterwards', () => {
    const { state } = runAsha(max(), [['A', 1, 0.8], ['B', 1, NaN], ['C', 1, 0.7], ['A', 3, 0.9]]);
    const copy = JSON.parse(JSON.stringify(state)) as AshaState;
    assert.deepEqual(copy, state);
    assert.deepEqual(runAsha(max(), [['D', 1, 0.75]], copy).decisions, runAsha(max(), [['D', 1, 0.75]], state).decisions);
  });

  test('ashaStep does not modify the state it is given', () => {
    const state = runAsha(max(), [['A', 1, 0.8]]).state;
    const before = JSON.stringify(state);
    runAsha(max(), [['B', 1, 0.1], ['C', 1, 0.9]], state);
    assert.equal(JSON.stringify(state), before);
  });
});

// ---- median stopping rule ---------------------------------------------------------------------------------------

function runMedian(options: MedianOptions, events: (MedianEvent | [string, number, number | null])[], start: MedianState = medianInitialState()) {
  let state = start;
  const decisions: (StoppingDecision | null)[] = [];
  for (const item of events) {
    const event: MedianEvent = Array.isArray(item) ? { type: 'report', trial: trial(item[0]), epoch: item[1], value: item[2] } : item;
    const step = medianStep(options, state, event);
    state = step.state;
    decisions.push(step.decision);
  }
  return { state, decisions, actions: decisions.filter((d): d is StoppingDecision => d !== null).map((d) => d.action) };
}
const done = (name: string): MedianEvent => ({ type: 'complete', trial: trial(name) });

describe('median stopping rule decisions (hand-checked against Optuna’s MedianPruner)', () => {
  const options: MedianOptions = { gracePeriod: 1, minTrials: 2, direction: 'maximize', metric: 'val_accuracy' };
  // Two completed trials. Reference values per epoch: 1: {0.5, 0.75} → median 0.625; 2: {0.5, 0.875} → 0.6875.
  const history = runMedian(options, [['A', 1, 0.5], ['A', 2, 0.5], done('A'), ['B', 1, 0.75], ['B', 2, 0.875], done('B')]);

  test('nothing is stopped before minTrials trials have completed', () => {
    assert.deepEqual(history.actions, ['continue', 'continue', 'continue', 'continue']);
    assert.equal(history.decisions[0]!.reason, '0 of minTrials 2 trials completed');
    assert.equal(history.decisions[3]!.reason, '1 of minTrials 2 trials completed');
    assert.equal(history.state.completed, 2);
  });

  test('below the median of completed trials at the same epoch: stop; equal: continue', () => {
    const { decisions, actions } = runMedian(options, [['C', 1, 0.5], ['D', 1, 0.625], ['D', 2, 0.625]], history.state);
    // C: best 0.5 < median 0.625: stop. D epoch 1: 0.625 = 0.625 continues; epoch 2: best 0.625 < 0.6875: stop.
    assert.deepEqual(actions, ['stop', 'continue', 'stop']);
    assert.equal(decisions[0]!.reason, 'epoch 1: best val_accuracy so far 0.5 below the median 0.625 of 2 completed trial(s)');
    assert.deepEqual({ ...decisions[2], reason: '' }, { epoch: 2, value: 0.625, threshold: 0.6875, basis: 2, action: 'stop', reason: '' });
  });

  test("the trial's best value so far is compared (Optuna, Vizier), not its latest", () => {
    // E: epoch 1 0.875 ≥ 0.625; epoch 2 drops to 0.25, but its best so far, 0.875, is ≥ 0.6875: continue.
    const { actions, decisions } = runMedian(options, [['E', 1, 0.875], ['E', 2, 0.25], ['E', 3, 0.25]], history.state);
    assert.deepEqual(actions, ['continue', 'continue', 'continue']);
    assert.equal(decisions[2]!.reason, 'no completed trial reported epoch 3');
  });

  test('the grace period protects the first epochs', () => {
    const { decisions, actions } = runMedian({ ...options, gracePeriod: 2 }, [['C', 1, 0.1], ['C', 2, 0.1]], history.state);
    assert.deepEqual(actions, ['continue', 'stop']);
    assert.equal(decisions[0]!.reason, 'epoch 1 is within the grace period (2)');
  });

  test('a trial with only NaN so far is stopped once the rule is active (Optuna prunes a NaN best)', () => {
    const { decisions, actions } = runMedian(options, [['F', 1, NaN], ['G', 1, 0.75], ['G', 2, NaN]], history.state);
    // F: no real value: stop. G: best 0.75 ≥ 0.625, then NaN at epoch 2 never beats 0.75: best 0.75 ≥ 0.6875.
    assert.deepEqual(actions, ['stop', 'continue', 'continue']);
    assert.equal(decisions[0]!.reason, 'every val_accuracy value so far is NaN or missing');
  });

  test('a NaN among the completed values ranks as the worst (Optuna ignores it)', () => {
    // H reported NaN at epoch 1 before the rule was active, recovered, and completed.
    const withNaN = runMedian(options, [['H', 1, NaN], ['H', 2, 0.9], done('H'), ['A', 1, 0.5], ['A', 2, 0.5], done('A'), ['B', 1, 0.75], ['B', 2, 0.875], done('B')]).state;
    assert.deepEqual(withNaN.completedValues['1'], { values: [0.5, 0.75], missing: 1 });
    // Epoch 1 reference {0.5, 0.75, NaN} → {−∞, 0.5, 0.75}: median 0.5. (Optuna: {0.5, 0.75} → 0.625.)
    assert.deepEqual(runMedian(options, [['I', 1, 0.5]], withNaN).actions, ['continue']);
    assert.deepEqual(runMedian(options, [['J', 1, 0.4375]], withNaN).actions, ['stop']);
  });

  test('minimize: stop when the best (lowest) loss so far is above the median', () => {
    const loss: MedianOptions = { ...options, direction: 'minimize', metric: 'val_loss' };
    const base = runMedian(loss, [['A', 1, 0.5], done('A'), ['B', 1, 0.25], done('B')]).state; // median 0.375
    const { decisions, actions } = runMedian(loss, [['C', 1, 0.5], ['D', 1, 0.375], ['E', 1, NaN]], base);
    assert.deepEqual(actions, ['stop', 'continue', 'stop']);
    assert.equal(decisions[0]!.reason, 'epoch 1: best val_loss so far 0.5 above the median 0.375 of 2 completed trial(s)');
    // A NaN loss in the reference is an infinite loss: {0.25, 0.5, +∞} → median 0.5.
    const withNaN = runMedian(loss, [['H', 1, NaN], ['H', 2, 0.1], done('H'), ['A', 1, 0.5], done('A'), ['B', 1, 0.25], done('B')]).state;
    assert.deepEqual(runMedian(loss, [['K', 1, 0.5]], withNaN).actions, ['continue']);
    assert.deepEqual(runMedian(loss, [['L', 1, 0.5625]], withNaN).actions, ['stop']);
  });

  test('stopped and failed trials are not reference values; completing twice counts once', () => {
    const { state } = runMedian(options, [['S', 1, 0.1], { type: 'end', trial: trial('S') }, ['T', 1, 0.2], done('T'), done('T')]);
    assert.equal(state.completed, 1);
    assert.deepEqual(state.completedValues, { 1: { values: [0.2], missing: 0 } });
    assert.deepEqual(state.running, {});
  });

  test('a stopped trial gets the same answer again (a replayed event)', () => {
    const first = runMedian(options, [['C', 1, 0.5]], history.state);
    const again = runMedian(options, [['C', 2, 0.99]], first.state);
    assert.equal(again.decisions[0]!.action, 'stop');
    assert.equal(again.decisions[0]!.reason, 'already stopped at epoch 1');
  });

  test('the state is plain JSON and is not modified in place', () => {
    const before = JSON.stringify(history.state);
    runMedian(options, [['C', 1, 0.5], ['X', 1, NaN], done('X')], history.state);
    assert.equal(JSON.stringify(history.state), before);
    assert.deepEqual(JSON.parse(before), history.state);
  });
});

describe('sized for large sweeps', () => {
  test('10,000 trials through ASHA: a JSON state well under Temporal’s 2 MB payload limit', () => {
    const options: AshaOptions = { gracePeriod: 1, reductionFactor: 3, maxResource: 27, direction: 'maximize' };
    let state = ashaInitialState(options);
    let value = 0.5;
    for (let t = 0; t < 10_000; t++) {
      for (const epoch of [1, 3]) {
        value = (value * 9301 + 49297) % 233280 / 233280; // a fixed pseudo-random sequence
        const step = ashaStep(options, state, { type: 'report', trial: t, epoch, value });
        state = step.state;
        if (step.decision.action === 'stop') break;
      }
    }
    assert.equal(state.rungs[0]!.values.length, 10_000);
    const size = JSON.stringify(state).length;
    assert.ok(size < 600_000, `state is ${size} characters`);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
  });
});
