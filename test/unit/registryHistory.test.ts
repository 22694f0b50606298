/** The registry's pure helpers: history replay and rollback targets, history keys, headlines and metric direction. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { higherIsBetter } from '../../core/registry/direction.js';
import { headlineOf } from '../../core/registry/headline.js';
import { championStack, rollbackTarget } from '../../core/registry/history.js';
import { historyKey } from '../../core/registry/keys.js';
import { ChampionRecord, type HistoryEntry, PromotionRule } from '../../core/registry/schemas.js';

let clock = 0;
function record(runId: string): ChampionRecord {
  return ChampionRecord.parse({
    pipeline: 'digits',
    runId,
    checkpoint: `s3://gauntlet/runs/${runId}/train/checkpoints/epoch-0002.pt`,
    metrics: { test_accuracy: 0.9 },
    headline: { name: 'test_accuracy', estimate: 0.9, low: null, high: null, higherIsBetter: true },
    testSetSha256: 'a'.repeat(64),
    predictionsUri: null,
    manifestUri: null,
    promotedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
    promotedBy: 'rule',
    reason: 'test',
  });
}
const promoted = (runId: string): HistoryEntry => {
  const champion = record(runId);
  return { event: 'promoted', at: champion.promotedAt, pipeline: 'digits', runId, by: 'rule', verdict: 'promoted', reasons: [], previousChampion: null, champion };
};
const rolledBack = (runId: string): HistoryEntry => {
  const champion = { ...record(runId), promotedBy: 'rollback' as const };
  return { event: 'rolled-back', at: champion.promotedAt, pipeline: 'digits', runId, by: 'rollback', reasons: [], previousChampion: null, champion };
};
const kept = (runId: string): HistoryEntry => ({ event: 'not-promoted', at: record(runId).promotedAt, pipeline: 'digits', runId, by: 'rule', verdict: 'kept', reasons: [], previousChampion: 'a', candidate: null });
const runs = (stack: ChampionRecord[]) => stack.map((entry) => entry.runId);

describe('registry history', () => {
  test('GIVEN promotions A, B, C and a not-promoted D THEN the champions in force are A, B, C', () => {
    assert.deepEqual(runs(championStack([promoted('a'), promoted('b'), kept('d'), promoted('c')])), ['a', 'b', 'c']);
  });
  test('GIVEN A, B, C WHEN rolled back twice THEN B, then A: each rollback undoes one promotion', () => {
    const history = [promoted('a'), promoted('b'), promoted('c')];
    const first = rollbackTarget(history, record('c'));
    assert.ok(first.ok);
    assert.equal(first.target.runId, 'b');
    history.push(rolledBack('b'));
    assert.deepEqual(runs(championStack(history)), ['a', 'b']);
    const second = rollbackTarget(history, record('b'));
    assert.ok(second.ok && second.target.runId === 'a');
  });
  test('GIVEN only one champion ever THEN no rollback target, saying it is the first', () => {
    const target = rollbackTarget([promoted('a'), kept('b')], record('a'));
    assert.deepEqual(target, { ok: false, reason: 'digits has no earlier champion to roll back to (a is the first)' });
  });
  test('GIVEN --to a former champion THEN it; --to a run that never was one THEN refused naming the former champions; --to the current THEN refused', () => {
    const history = [promoted('a'), promoted('b'), promoted('c'), rolledBack('a')];
    assert.deepEqual(runs(championStack(history)), ['a']);
    const forward = rollbackTarget(history, record('a'), 'c');
    assert.ok(forward.ok && forward.target.runId === 'c', 'a champion rolled past can be put back');
    history.push(rolledBack('c'));
    assert.deepEqual(runs(championStack(history)), ['a', 'c']);
    const never = rollbackTarget(history, record('c'), 'd');
    assert.deepEqual(never, { ok: false, reason: 'd has never been a champion of digits (former champions: a, b)' });
    assert.deepEqual(rollbackTarget(history, record('c'), 'c'), { ok: false, reason: 'c is already the champion of digits' });
  });
  test('history keys sort in time order and name the run', () => {
    const keys = ['2026-01-02T00:00:00.000Z', '2026-01-01T23:59:59.999Z', '2026-01-01T00:00:00.001Z'].map((at) => historyKey('digits', at, 'digits-x'));
    assert.deepEqual([...keys].sort(), [keys[2], keys[1], keys[0]]);
    assert.equal(keys[0], 'models/digits/history/20260102T000000.000Z-digits-x.json');
    assert.equal(historyKey('digits', '2026-01-02T00:00:00Z', 'r', 2), 'models/digits/history/20260102T000000.000Z-r-2.json');
  });
});

describe('headline and metric direction', () => {
  test('the evaluate split\'s metric, with its interval; final-output accuracy when there is one; null when missing', () => {
    const metrics = { test_accuracy: { estimate: 0.9, low: 0.85, high: 0.93, method: 'wilson' }, test_loss: 0.3 };
    assert.deepEqual(headlineOf({ split: 'test', metric: 'accuracy' }, metrics), { name: 'test_accuracy', estimate: 0.9, low: 0.85, high: 0.93, higherIsBetter: true });
    assert.deepEqual(headlineOf({ split: 'test', metric: 'loss' }, metrics), { name: 'test_loss', estimate: 0.3, low: null, high: null, higherIsBetter: false });
    assert.equal(headlineOf({ split: 'test', metric: 'accuracy' }, { ...metrics, test_final_accuracy: 0.8 })?.name, 'test_final_accuracy');
    assert.equal(headlineOf({ split: 'test', metric: 'macroF1' }, metrics), null);
  });
  test('losses and errors are lower-is-better; accuracy, F1, AUC higher', () => {
    assert.deepEqual(['accuracy', 'macroF1', 'balancedAccuracy', 'auc', 'precision'].map(higherIsBetter), [true, true, true, true, true]);
    assert.deepEqual(['loss', 'logLoss', 'test_logLoss', 'error_rate', 'rmse', 'val_mae'].map(higherIsBetter), [false, false, false, false, false, false]);
  });
  test('the spec\'s promote section: when is required, alpha and minImprovement default', () => {
    assert.deepEqual(PromotionRule.parse({ when: 'mcnemar' }), { when: 'mcnemar', alpha: 0.05, minImprovement: 0 });
    assert.throws(() => PromotionRule.parse({}));
    assert.throws(() => PromotionRule.parse({ when: 'sometimes' }));
  });
});
