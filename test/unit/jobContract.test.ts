/** Job contract v1: documents, progress events and result.json, with every kind of bad input. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProgressLine } from '../../core/progress.js';
import { problemsFromZod, formatProblem } from '../../core/spec/issues.js';
import { Job, JobResult, type JobInput } from '../../core/spec/job.js';

const DATA = {
  uri: 's3://gauntlet/datasets/abc.csv',
  sha256: 'a'.repeat(64),
  splitUri: 's3://gauntlet/datasets/abc/splits/def.json',
  numClasses: 10,
};
const JOB: JobInput = {
  contract: 'gauntlet.job/v1',
  jobId: 'digits-20261126t124500z-train-1a2b3c4d',
  mode: 'train',
  seed: 0,
  data: DATA,
  output: { prefix: 's3://gauntlet/runs/digits/train/' },
  epochs: 5,
  schedule: { kind: 'one_cycle', maxLr: 0.1 },
};

function jobProblems(overrides: Record<string, unknown>): string[] {
  const parsed = Job.safeParse({ ...JOB, ...overrides }, { reportInput: true });
  assert.equal(parsed.success, false, 'expected the job to be rejected');
  return parsed.success ? [] : problemsFromZod(parsed.error).map(formatProblem);
}

describe('job document', () => {
  test('a valid job gets PyTorch OneCycleLR defaults and contract defaults', () => {
    const job = Job.parse(JOB);
    assert.deepEqual(job.schedule, {
      kind: 'one_cycle', maxLr: 0.1, pctStart: 0.3, annealStrategy: 'cos', divFactor: 25, finalDivFactor: 1e4,
      threePhase: false, cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95,
    });
    assert.equal(job.checkpoint, null);
    assert.equal(job.batchSize, 64);
    assert.equal(job.device, 'auto');
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['wrong contract version', { contract: 'gauntlet.job/v2' }, /^contract: .* \(got "gauntlet\.job\/v2"\)$/],
    ['unknown mode', { mode: 'finetune' }, /^mode: .* \(got "finetune"\)$/],
    ['job id that is not a DNS label', { jobId: 'Train_Job' }, /^jobId: must be a DNS-1123 label \(got "Train_Job"\)$/],
    ['job id over 63 characters', { jobId: 'a'.repeat(64) }, /^jobId: /],
    ['negative seed', { seed: -1 }, /^seed: .* \(got -1\)$/],
    ['data URI that is not s3', { data: { ...DATA, uri: '/tmp/data.csv' } }, /^data\.uri: must be an s3:\/\/bucket\/key URI \(got "\/tmp\/data\.csv"\)$/],
    ['bad sha256', { data: { ...DATA, sha256: 'xyz' } }, /^data\.sha256: /],
    ['one class', { data: { ...DATA, numClasses: 1 } }, /^data\.numClasses: .* \(got 1\)$/],
    ['output prefix without slash', { output: { prefix: 's3://gauntlet/runs/x' } }, /^output\.prefix: an output prefix must end with "\/" \(got "s3:\/\/gauntlet\/runs\/x"\)$/],
    ['credentials smuggled into the document', { storageSecretKey: 'hunter22' }, /^storageSecretKey: unknown key/],
    ['zero batch size', { batchSize: 0 }, /^batchSize: .* \(got 0\)$/],
    ['range test with too few steps', { schedule: { kind: 'range_test', numSteps: 2 } }, /^schedule\.numSteps: .* \(got 2\)$/],
    ['unknown device', { device: 'tpu' }, /^device: .* \(got "tpu"\)$/],
    ['unknown split', { split: 'holdout' }, /^split: .* \(got "holdout"\)$/],
    ['hyperparameter that is an object', { hyperparameters: { layers: [1, 2] } }, /^hyperparameters\.layers: /],
  ];
  for (const [name, overrides, expected] of cases) {
    test(`rejects ${name}`, () => {
      const found = jobProblems(overrides);
      assert.ok(found.some((line) => expected.test(line)), `no problem matched ${expected}:\n${found.join('\n')}`);
    });
  }
});

describe('progress events', () => {
  test('each event kind parses from one JSON line', () => {
    assert.deepEqual(parseProgressLine('{"event":"metric","name":"val_accuracy","value":0.97,"epoch":3}'), {
      event: 'metric', name: 'val_accuracy', value: 0.97, epoch: 3,
    });
    assert.equal(parseProgressLine('{"event":"lr_point","step":4,"lr":0.001,"loss":2.1}')?.event, 'lr_point');
    assert.equal(parseProgressLine('{"event":"checkpoint","uri":"s3://gauntlet/runs/x/checkpoints/epoch-0001.pt","epoch":1}')?.event, 'checkpoint');
    assert.deepEqual(parseProgressLine('{"event":"log","message":"hello"}'), { event: 'log', level: 'info', message: 'hello' });
  });

  test('lines that are not events are ignored, not fatal', () => {
    assert.equal(parseProgressLine('Epoch 3: loss 0.1'), null);
    assert.equal(parseProgressLine('{"event":"metric"'), null);
    assert.equal(parseProgressLine('{"event":"metric","name":"x"}'), null); // no value
    assert.equal(parseProgressLine('{"event":"telemetry","x":1}'), null);
    assert.equal(parseProgressLine('{"event":"checkpoint","uri":"/local/path.pt","epoch":1}'), null);
  });

  test('a NaN metric travels as null', () => {
    assert.equal(parseProgressLine('{"event":"metric","name":"loss","value":null}')?.event, 'metric');
  });
});

describe('result.json', () => {
  const RESULT = {
    contract: 'gauntlet.job/v1', jobId: 'j', mode: 'evaluate', status: 'succeeded', metrics: { accuracy: 0.95 },
    artifacts: { predictions: 's3://gauntlet/runs/x/predictions.json' }, device: 'cpu',
    startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', trainer: { name: 'gauntlet-reference', version: '1.0.0' },
  };
  test('a valid result parses with defaults', () => {
    const result = JobResult.parse(RESULT);
    assert.deepEqual(result.details, {});
    assert.equal(result.resumedFromEpoch, null);
  });
  test('an artifact that is not an s3 URI is rejected', () => {
    assert.equal(JobResult.safeParse({ ...RESULT, artifacts: { model: '/tmp/model.pt' } }).success, false);
  });
  test('an unknown status is rejected', () => {
    assert.equal(JobResult.safeParse({ ...RESULT, status: 'ok' }).success, false);
  });
});
