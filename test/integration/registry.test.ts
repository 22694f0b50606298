/**
 * The model registry on a real MinIO, through the CLI as a person uses it and through the activities the promote
 * stage calls. Finished runs are simulated by writing their manifests (and split manifests) into the store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { createRegistryActivities } from '../../activities/registry.js';
import { modelOfRun, testSetHash } from '../../activities/runModel.js';
import { ArtifactStore } from '../../activities/store.js';
import { ChampionRecord, HistoryEntry } from '../../core/registry/schemas.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { createMinioClient } from '../../worker/sideEffects.js';
import { runCli } from '../support/cli.js';

const DATA = 'd'.repeat(64);
const TEST_ROWS = [3, 7, 11, 12, 40];

const Show = z.object({ pipeline: z.string(), champion: ChampionRecord.nullable(), history: z.array(HistoryEntry) });

interface RunOptions {
  pipeline?: string;
  accuracy?: number;
  testRows?: number[];
  status?: string;
  sweepStoppedBecause?: string;
}

describe('the model registry on a real MinIO', () => {
  let stack: TestStack;
  let store: ArtifactStore;

  before(async () => {
    stack = await startTestStack({ worker: false });
    store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
  });
  after(async () => {
    await stack?.stop();
  });

  const cli = (...args: string[]) => runCli(['models', ...args], stack.env, 60_000);
  const ok = async (...args: string[]) => {
    const result = await cli(...args);
    assert.equal(result.code, 0, `gauntlet models ${args.join(' ')}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  const show = async (pipeline: string) => Show.parse(JSON.parse(await ok('show', pipeline, '--json')));
  const historyObjects = async (pipeline: string) => {
    const keys = await store.listKeys(`models/${pipeline}/history/`);
    return new Map(await Promise.all(keys.map(async (key) => [key, (await store.getBytes(store.uri(key))).toString('utf8')] as const)));
  };

  /** A run that reached its record stage: its manifest and split manifest, as activities/manifest.ts writes them. */
  async function finishedRun(runId: string, options: RunOptions = {}): Promise<string> {
    const pipeline = options.pipeline ?? 'reg';
    const accuracy = options.accuracy ?? 0.9;
    const testRows = options.testRows ?? TEST_ROWS;
    const splitUri = await store.putJson(`datasets/${DATA}/splits/${runId}.json`, { train: [0, 1, 2], valid: [4, 5], test: testRows });
    await store.putJson(`runs/${runId}/manifest.json`, {
      manifest: 'gauntlet.run-manifest/v1',
      runId,
      pipeline,
      ...(options.status ? { status: options.status } : {}),
      spec: { name: pipeline, evaluate: { split: 'test', metric: 'accuracy' } },
      data: { source: 'sklearn:digits', sha256: DATA, splitSha256: 'e'.repeat(64), rows: 50, classes: ['0', '1'], counts: { train: 3, valid: 2, test: testRows.length } },
      metrics: { test_accuracy: { estimate: accuracy, low: accuracy - 0.05, high: Math.min(1, accuracy + 0.03), method: 'wilson' }, test_loss: 0.3 },
      goalMet: true,
      gates: [],
      sweep: options.sweepStoppedBecause ? { trials: 4, completed: 1, stopped: 0, failed: 3, best: { trial: 0, checkpoint: store.uri(`runs/${runId}-sweep/trial-0/model.pt`) }, tableUri: null, stoppedBecause: options.sweepStoppedBecause, endReason: 'too many failures' } : null,
      jobs: {},
      artifacts: {
        data: store.uri(`datasets/${DATA}.csv`),
        split: splitUri,
        ...(options.sweepStoppedBecause ? {} : { 'train.checkpoint': store.uri(`runs/${runId}/train/checkpoints/epoch-0002.pt`) }),
        'evaluate.predictions': store.uri(`runs/${runId}/evaluate/predictions.json`),
      },
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:10:00.000Z',
    });
    return runId;
  }

  test('GIVEN an empty registry WHEN listing THEN it says there are no champions, and --json is []', async () => {
    assert.match(await ok('list'), /no champions yet/);
    assert.deepEqual(JSON.parse(await ok('list', '--json')), []);
  });

  test('GIVEN a finished run WHEN promoted by hand THEN it is the champion: run, checkpoint, metrics with intervals, test-set hash; list and show say so', async () => {
    const runId = await finishedRun('reg-20260101T000000Z', { accuracy: 0.9 });
    const printed = await ok('promote', runId, '--reason', 'first model');
    assert.match(printed, /reg-20260101T000000Z is now the champion of reg \(test_accuracy 0\.9 \[0\.85, 0\.93\]\)/);
    const { champion, history } = await show('reg');
    assert.ok(champion);
    assert.equal(champion.runId, runId);
    assert.equal(champion.checkpoint, store.uri(`runs/${runId}/train/checkpoints/epoch-0002.pt`));
    assert.equal(champion.predictionsUri, store.uri(`runs/${runId}/evaluate/predictions.json`));
    assert.equal(champion.testSetSha256, testSetHash(DATA, TEST_ROWS));
    assert.deepEqual(champion.headline, { name: 'test_accuracy', estimate: 0.9, low: 0.85, high: 0.93, higherIsBetter: true });
    assert.deepEqual(champion.metrics.test_accuracy, { estimate: 0.9, low: 0.85, high: 0.93, method: 'wilson' });
    assert.equal(champion.promotedBy, 'manual');
    assert.equal(champion.reason, 'first model');
    assert.deepEqual(history.map((entry) => [entry.event, entry.runId, entry.by, entry.previousChampion]), [['promoted', runId, 'manual', null]]);
    const listed = z.array(ChampionRecord).parse(JSON.parse(await ok('list', '--json')));
    assert.deepEqual(listed.map((record) => [record.pipeline, record.runId]), [['reg', runId]]);
    const table = await ok('list');
    assert.match(table, /reg .*reg-20260101T000000Z .*test_accuracy 0\.9 \[0\.85, 0\.93\].*manual/);
    const text = await ok('show', 'reg');
    assert.match(text, /champion +reg-20260101T000000Z/);
    assert.match(text, /test_accuracy .*0\.9 .*\[0\.85, 0\.93\] wilson/);
  });

  test('GIVEN a champion WHEN better and then incomparable runs are promoted THEN the history grows newest first and no event object is ever rewritten', async () => {
    const before = await historyObjects('reg');
    await ok('promote', await finishedRun('reg-20260102T000000Z', { accuracy: 0.95 }));
    const printed = await ok('promote', await finishedRun('reg-20260103T000000Z', { accuracy: 0.97, testRows: [1, 2, 3] }));
    assert.match(printed, /not comparable: the test sets differ/, 'a person promoting across test sets is told so');
    const { champion, history } = await show('reg');
    assert.equal(champion?.runId, 'reg-20260103T000000Z');
    assert.deepEqual(history.map((entry) => entry.runId), ['reg-20260103T000000Z', 'reg-20260102T000000Z', 'reg-20260101T000000Z']);
    assert.deepEqual(history.map((entry) => entry.previousChampion), ['reg-20260102T000000Z', 'reg-20260101T000000Z', null]);
    const afterwards = await historyObjects('reg');
    assert.equal(afterwards.size, before.size + 2);
    for (const [key, body] of before) assert.equal(afterwards.get(key), body, `${key} unchanged`);
  });

  test('GIVEN three champions WHEN rolled back twice THEN each rollback undoes one promotion; a third finds none', async () => {
    assert.match(await ok('rollback', 'reg'), /reg: champion is reg-20260102T000000Z again .* was reg-20260103T000000Z/);
    const second = ChampionRecord.parse(JSON.parse(await ok('rollback', 'reg', '--json', '--reason', 'bad week')));
    assert.deepEqual([second.runId, second.promotedBy, second.reason], ['reg-20260101T000000Z', 'rollback', 'bad week']);
    const third = await cli('rollback', 'reg');
    assert.equal(third.code, 2, third.stderr);
    assert.match(third.stderr, /reg has no earlier champion to roll back to \(reg-20260101T000000Z is the first\)/);
    const { history } = await show('reg');
    assert.deepEqual(history.slice(0, 2).map((entry) => [entry.event, entry.runId, entry.previousChampion]), [
      ['rolled-back', 'reg-20260101T000000Z', 'reg-20260102T000000Z'],
      ['rolled-back', 'reg-20260102T000000Z', 'reg-20260103T000000Z'],
    ]);
  });

  test('GIVEN former champions WHEN rollback --to names one THEN it is the champion; a run that never was, or the current one, is refused', async () => {
    const to = ChampionRecord.parse(JSON.parse(await ok('rollback', 'reg', '--to', 'reg-20260103T000000Z', '--json')));
    assert.equal(to.runId, 'reg-20260103T000000Z');
    assert.equal((await show('reg')).champion?.runId, 'reg-20260103T000000Z');
    const never = await cli('rollback', 'reg', '--to', 'reg-20991231T000000Z');
    assert.equal(never.code, 2);
    assert.match(never.stderr, /reg-20991231T000000Z has never been a champion of reg \(former champions: reg-20260101T000000Z, reg-20260102T000000Z\)/);
    const current = await cli('rollback', 'reg', '--to', 'reg-20260103T000000Z');
    assert.equal(current.code, 2);
    assert.match(current.stderr, /reg-20260103T000000Z is already the champion of reg/);
  });

  test('GIVEN runs that cannot be promoted WHEN promoted THEN refused with the reason and exit code 2, the champion untouched', async () => {
    const before = (await show('reg')).champion;
    const cases: Array<[string, RegExp]> = [
      ['reg-20260109T000000Z', /run reg-20260109T000000Z has no manifest at s3:\/\/.*runs\/reg-20260109T000000Z\/manifest\.json: the run id is wrong, or the run did not finish/],
      [await finishedRun('reg-20260104T000000Z', { status: 'failed' }), /run reg-20260104T000000Z did not succeed \(its status is failed\)/],
      [await finishedRun('reg-20260105T000000Z', { sweepStoppedBecause: 'maxFailedTrials' }), /did not succeed \(its status is incomplete\)/],
      ['reg-20260103T000000Z', /reg-20260103T000000Z is already the champion of reg/],
      ['../etc', /run "\.\.\/etc" must be a run id/],
    ];
    // A run stopped by a gate has a manifest too, without a model's fields: its status is what counts.
    await store.putJson('runs/reg-20260106T000000Z/manifest.json', { runId: 'reg-20260106T000000Z', pipeline: 'reg', status: 'stopped_by_gate', error: 'overfit gate failed', metrics: {} });
    cases.push(['reg-20260106T000000Z', /run reg-20260106T000000Z did not succeed \(its status is stopped_by_gate\)/]);
    for (const [runId, message] of cases) {
      const result = await cli('promote', runId);
      assert.equal(result.code, 2, `${runId}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    await store.putJson('runs/reg-20260107T000000Z/manifest.json', { runId: 'reg-20260107T000000Z', pipeline: 'reg', metrics: {}, artifacts: {} });
    const broken = await cli('promote', 'reg-20260107T000000Z');
    assert.equal(broken.code, 1, broken.stderr);
    assert.match(broken.stderr, /runs\/reg-20260107T000000Z\/manifest\.json cannot be read as a run manifest: spec: /);
    assert.deepEqual((await show('reg')).champion, before);
  });

  test('GIVEN a pipeline with no models WHEN shown or rolled back THEN refused with exit code 2', async () => {
    const shown = await cli('show', 'nothing-here');
    assert.equal(shown.code, 2);
    assert.match(shown.stderr, /no models registered for nothing-here/);
    const rolled = await cli('rollback', 'nothing-here');
    assert.equal(rolled.code, 2);
    assert.match(rolled.stderr, /nothing-here has no champion: there is nothing to roll back/);
    const bad = await cli('show', 'Not_A_Pipeline');
    assert.equal(bad.code, 2);
  });

  test('GIVEN the promote stage\'s activities WHEN two runs promote against the same champion at once THEN exactly one wins and the other gets conflict with the winner', async () => {
    const activities = createRegistryActivities({ store });
    const a = (await modelOfRun(store, await finishedRun('race-20260101T000000Z', { pipeline: 'race' }))).candidate;
    assert.equal(await activities.readChampion('race'), null);
    const first = await activities.promoteModel({ candidate: a, by: 'rule', verdict: 'no-champion-promoted', reasons: ['first'], expectedChampion: null });
    assert.equal(first.outcome, 'promoted');
    const b = (await modelOfRun(store, await finishedRun('race-20260102T000000Z', { pipeline: 'race', accuracy: 0.95 }))).candidate;
    const c = (await modelOfRun(store, await finishedRun('race-20260103T000000Z', { pipeline: 'race', accuracy: 0.96 }))).candidate;
    const results = await Promise.all([b, c].map((candidate) => activities.promoteModel({ candidate, by: 'rule', verdict: 'promoted', reasons: ['better'], expectedChampion: a.runId })));
    const winners = results.filter((result) => result.outcome === 'promoted');
    const losers = results.filter((result) => result.outcome === 'conflict');
    assert.equal(winners.length, 1, JSON.stringify(results));
    assert.equal(losers.length, 1);
    const winner = winners[0]?.outcome === 'promoted' ? winners[0].champion.runId : '';
    assert.equal(losers[0]?.outcome === 'conflict' ? losers[0].current?.runId : '', winner);
    assert.equal((await activities.readChampion('race'))?.runId, winner);
    // A stale decision (made against a champion that is no longer there) writes nothing.
    const stale = await activities.promoteModel({ candidate: a, by: 'rule', verdict: 'promoted', reasons: [], expectedChampion: a.runId });
    assert.equal(stale.outcome, 'conflict');
    const { history } = await show('race');
    assert.deepEqual(history.map((entry) => entry.runId), [winner, a.runId]);
  });

  test('GIVEN a promote activity retried after its write landed WHEN it runs again with the same time THEN one champion write and one history event, not two', async () => {
    const activities = createRegistryActivities({ store });
    const current = await activities.readChampion('race');
    const d = (await modelOfRun(store, await finishedRun('race-20260104T000000Z', { pipeline: 'race', accuracy: 0.99 }))).candidate;
    const request = { candidate: d, by: 'rule' as const, verdict: 'promoted' as const, reasons: ['lowerBound'], expectedChampion: current?.runId ?? null, at: '2026-01-04T01:00:00.000Z' };
    const once = await activities.promoteModel(request);
    const twice = await activities.promoteModel(request);
    assert.equal(once.outcome, 'promoted');
    assert.deepEqual(twice, once);
    const { history } = await show('race');
    assert.equal(history.filter((entry) => entry.runId === d.runId).length, 1);
  });

  test('GIVEN a verdict that promotes nothing WHEN recorded THEN the history has a not-promoted event with its reasons, and the champion is untouched', async () => {
    const activities = createRegistryActivities({ store });
    const before = await activities.readChampion('race');
    const run = await finishedRun('race-20260105T000000Z', { pipeline: 'race', accuracy: 0.5 });
    const { candidate } = await modelOfRun(store, run);
    assert.equal(await activities.testSetHashOf({ sha256: DATA, splitUri: store.uri(`datasets/${DATA}/splits/${run}.json`) }), candidate.testSetSha256);
    const uri = await activities.recordPromotionVerdict({ pipeline: 'race', runId: run, by: 'rule', verdict: 'kept', reasons: ['interval lower bound 0.45 is not > champion 0.99'], candidate });
    assert.match(uri, /models\/race\/history\/\d{8}T\d{6}\.\d{3}Z-race-20260105T000000Z\.json$/);
    assert.deepEqual(await activities.readChampion('race'), before);
    const latest = (await show('race')).history[0];
    assert.ok(latest?.event === 'not-promoted');
    assert.deepEqual([latest.runId, latest.verdict, latest.previousChampion, latest.reasons], [run, 'kept', before?.runId ?? null, ['interval lower bound 0.45 is not > champion 0.99']]);
    assert.match(await ok('show', 'race'), /not promoted: kept/);
  });
});
