/** The Kubernetes Job manifest (compared whole), outcome classification, and the spec's Kubernetes section. */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyJob } from '../../activities/executor/kubernetes/classify.js';
import { buildJobManifest, labelValue } from '../../activities/executor/kubernetes/manifest.js';
import { formatProblem } from '../../core/spec/issues.js';
import { Job } from '../../core/spec/job.js';
import { KubernetesSpec } from '../../core/spec/kubernetes.js';
import { parsePipelineYaml } from '../../core/spec/parse.js';

const JOB = Job.parse({
  contract: 'gauntlet.job/v1',
  jobId: 'digits-20261126t124500z-train-1a2b3c4d',
  mode: 'train',
  seed: 0,
  data: { uri: 's3://gauntlet/d.csv', sha256: 'a'.repeat(64), splitUri: 's3://gauntlet/s.json', numClasses: 10 },
  output: { prefix: 's3://gauntlet/runs/digits-20261126T124500Z/train/' },
  epochs: 3,
  schedule: { kind: 'constant', lr: 0.1 },
});

describe('Job manifest', () => {
  test('GIVEN a kubernetes section WHEN the Job is built THEN every field is where Kubernetes expects it', () => {
    const spec = KubernetesSpec.parse({
      image: 'registry.example/gauntlet-trainer:1.0',
      namespace: 'ml',
      gpus: 2,
      nodeSelector: { 'gauntlet.dev/gpu': 'true' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      serviceAccountName: 'trainer',
      priorityClassName: 'batch-low',
      queueName: 'team-a',
    });
    const manifest = buildJobManifest(JOB, spec, { pipeline: 'digits', run: 'digits-20261126T124500Z', stage: 'train' }, { launch: 1, deadlineSeconds: 7200 });
    const labels = {
      'gauntlet.dev/managed-by': 'gauntlet',
      'gauntlet.dev/pipeline': 'digits',
      'gauntlet.dev/run': 'digits-20261126T124500Z',
      'gauntlet.dev/stage': 'train',
      'gauntlet.dev/job': JOB.jobId,
      'gauntlet.dev/mode': 'train',
      'kueue.x-k8s.io/queue-name': 'team-a',
    };
    const secretEnv = (key: string, optional = false) => ({ name: key, valueFrom: { secretKeyRef: { name: 'gauntlet-storage', key, optional } } });
    const expected: V1Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: JOB.jobId, namespace: 'ml', labels, annotations: { 'gauntlet.dev/launch': '1' } },
      spec: {
        backoffLimit: 0,
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [2] } }] },
        activeDeadlineSeconds: 7200,
        ttlSecondsAfterFinished: 3600,
        template: {
          metadata: { labels, annotations: {} },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: 'trainer',
            priorityClassName: 'batch-low',
            nodeSelector: { 'gauntlet.dev/gpu': 'true' },
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
            containers: [
              {
                name: 'trainer',
                image: 'registry.example/gauntlet-trainer:1.0',
                imagePullPolicy: 'IfNotPresent',
                command: ['python3', '/app/trainer/reference_trainer.py'],
                env: [
                  { name: 'GAUNTLET_JOB', value: JSON.stringify(JOB) },
                  { name: 'PYTHONUNBUFFERED', value: '1' },
                  secretEnv('GAUNTLET_STORAGE_ENDPOINT'),
                  secretEnv('GAUNTLET_STORAGE_ACCESS_KEY'),
                  secretEnv('GAUNTLET_STORAGE_SECRET_KEY'),
                  secretEnv('GAUNTLET_STORAGE_REGION', true),
                ],
                resources: { limits: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '2' }, requests: { cpu: '2', memory: '8Gi' } },
                volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }],
              },
            ],
            volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }],
          },
        },
      },
    };
    assert.deepEqual(manifest, expected);
    assert.doesNotMatch(JSON.stringify(manifest), /gauntlet-dev-secret/, 'no credential values in the manifest');
  });

  test('label values that Kubernetes would reject are hashed into valid ones', () => {
    assert.equal(labelValue('digits-20261126T124500Z'), 'digits-20261126T124500Z');
    const long = labelValue('x'.repeat(80));
    assert.ok(long.length <= 63);
    assert.match(labelValue('has space'), /^[a-z0-9-]+$/);
  });
});

describe('outcome classification', () => {
  const job = (conditions: { type: string; reason?: string; message?: string }[] = []): V1Job => ({
    status: { conditions: conditions.map((c) => ({ status: 'True', ...c })) },
  });
  const pod = (status: V1Pod['status'], gpus = 1): V1Pod => ({
    metadata: { name: 'p-1', creationTimestamp: new Date('2026-01-01T00:00:00Z') },
    spec: { containers: [{ name: 'trainer', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }] },
    status,
  });
  const terminated = (exitCode: number, reason = 'Error') => ({ containerStatuses: [{ name: 'trainer', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason } } }] });

  test('complete → succeeded', () => {
    assert.deepEqual(classifyJob(job([{ type: 'Complete' }]), []), { kind: 'succeeded' });
  });
  test('exit code 2 → not retryable (bad input)', () => {
    const state = classifyJob(job([{ type: 'Failed', reason: 'PodFailurePolicy' }]), [pod({ phase: 'Failed', ...terminated(2) })]);
    assert.ok(state.kind === 'failed' && !state.retryable && state.reason === 'BadInput');
  });
  test('OOM killed → retryable', () => {
    const state = classifyJob(job([{ type: 'Failed' }]), [pod({ phase: 'Failed', ...terminated(137, 'OOMKilled') })]);
    assert.ok(state.kind === 'failed' && state.retryable && state.reason === 'OOMKilled');
  });
  test('evicted (DisruptionTarget) → retryable', () => {
    const evicted = pod({ phase: 'Failed', reason: 'Evicted', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet' }] });
    const state = classifyJob(job([{ type: 'Failed' }]), [evicted]);
    assert.ok(state.kind === 'failed' && state.retryable && state.reason === 'TerminationByKubelet');
  });
  test('any other exit code → retryable', () => {
    const state = classifyJob(job([{ type: 'Failed' }]), [pod({ phase: 'Failed', ...terminated(3) })]);
    assert.ok(state.kind === 'failed' && state.retryable && state.exitCode === 3);
  });
  test('image pull failure → not retryable, at once, naming the image', () => {
    const waiting = { containerStatuses: [{ name: 'trainer', image: 'x', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }] };
    const state = classifyJob(job(), [{ ...pod({ phase: 'Pending', ...waiting }), spec: { containers: [{ name: 'trainer', image: 'nope:1' }] } }]);
    assert.ok(state.kind === 'failed' && !state.retryable && /cannot pull image nope:1/.test(state.message));
  });
  test('unschedulable → waiting for N GPUs', () => {
    const pending = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient nvidia.com/gpu.' }] }, 4);
    const state = classifyJob(job(), [pending]);
    assert.equal(state.kind, 'waiting');
    assert.match(state.kind === 'waiting' ? state.detail : '', /^waiting for 4 GPUs: 0\/2 nodes/);
  });
  test('deadline exceeded → not retryable', () => {
    const state = classifyJob(job([{ type: 'Failed', reason: 'DeadlineExceeded' }]), []);
    assert.ok(state.kind === 'failed' && !state.retryable);
  });
});

describe('kubernetes section of the pipeline file', () => {
  const base = (kubernetes: string) => `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: k
executor: kubernetes
data: { source: "sklearn:digits" }
train: { epochs: 1, schedule: { kind: constant, lr: 0.1 } }
kubernetes: ${kubernetes}
`;
  const problems = (kubernetes: string) => {
    const result = parsePipelineYaml(base(kubernetes));
    return result.ok ? [] : result.problems.map(formatProblem);
  };
  const cases: [string, string, RegExp][] = [
    ['negative GPUs', '{ image: t, gpus: -1 }', /^kubernetes\.gpus: .* \(got -1\)$/],
    ['unknown field', '{ image: t, gpu: 1 }', /^kubernetes\.gpu: unknown key \(got 1\)$/],
    ['toleration with a bad operator', '{ image: t, tolerations: [{ key: a, operator: Maybe }] }', /^kubernetes\.tolerations\[0\]\.operator: .* \(got "Maybe"\)$/],
    ['Exists toleration with a value', '{ image: t, tolerations: [{ key: a, operator: Exists, value: b }] }', /^kubernetes\.tolerations\[0\]\.value: must be empty when operator is Exists \(got "b"\)$/],
    ['toleration with an unknown effect', '{ image: t, tolerations: [{ key: a, effect: Sometimes }] }', /^kubernetes\.tolerations\[0\]\.effect: .* \(got "Sometimes"\)$/],
    ['bad memory quantity', '{ image: t, memory: lots }', /^kubernetes\.memory: must be a Kubernetes quantity .* \(got "lots"\)$/],
    ['namespace that is not a DNS label', '{ image: t, namespace: My_NS }', /^kubernetes\.namespace: must be a DNS-1123 label \(got "My_NS"\)$/],
    ['missing image', '{ gpus: 1 }', /^kubernetes\.image: /],
  ];
  for (const [name, section, expected] of cases) {
    test(`rejects ${name}`, () => {
      const found = problems(section);
      assert.ok(found.some((line) => expected.test(line)), `no problem matched ${expected}:\n${found.join('\n')}`);
    });
  }
  test('a valid section passes with defaults', () => {
    const result = parsePipelineYaml(base('{ image: trainer:1 }'));
    assert.ok(result.ok);
    assert.equal(result.spec.kubernetes?.gpus, 1);
    assert.equal(result.spec.kubernetes?.queueTimeout, '30m');
  });
  test('the kubernetes executor without a section is rejected', () => {
    const result = parsePipelineYaml(base('{ image: t }').replace(/kubernetes: .*\n$/, ''));
    assert.ok(!result.ok && result.problems.some((p) => p.path === 'kubernetes'));
  });
});
