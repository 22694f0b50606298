/**
 * The Kubernetes executor against a real control plane (kube-apiserver, Job controller, scheduler; KWOK plays the
 * kubelets of two 4-GPU nodes). Pods annotated run-locally are run by the pod runner — the test's stand-in for a
 * container runtime — which the executor cannot tell from a kubelet. Pipelines run through the real worker and CLI.
 */
import { BatchV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { KubernetesExecutor } from '../../activities/executor/kubernetes/executor.js';
import { JobWatcher } from '../../activities/executor/kubernetes/jobWatcher.js';
import { LABEL } from '../../activities/executor/kubernetes/manifest.js';
import type { ExecutionCheckpoint, ExecutionHooks, ExecutionRequest } from '../../activities/executor/types.js';
import { ArtifactStore } from '../../activities/store.js';
import { RUN_LOCALLY_ANNOTATION } from '../../deploy/dev/cluster/podRunner.js';
import { clusterStatus, clusterUp } from '../../deploy/dev/cluster/cluster.js';
import { clusterBinariesMissingReason, startTestCluster, type TestCluster } from '../../deploy/dev/cluster/testCluster.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { Job } from '../../core/spec/job.js';
import { KubernetesSpec } from '../../core/spec/kubernetes.js';
import { TrainerSpec } from '../../core/spec/pipeline.js';
import { createMinioClient } from '../../worker/sideEffects.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const NAMESPACE = 'gauntlet';
const skip = await clusterBinariesMissingReason();

describe('kubernetes executor on the local cluster', { skip }, () => {
  let stack: TestStack;
  let cluster: TestCluster;
  let worker: WorkerProcess;
  let batch: BatchV1Api;
  let core: CoreV1Api;
  let python: string;
  let store: ArtifactStore;
  const specDir = mkdtempSync(join(tmpdir(), 'gauntlet-k8s-specs-'));

  before(async () => {
    python = await detectPython();
    stack = await startTestStack({ worker: false, python });
    cluster = await startTestCluster({ podRunner: true, gpuNodes: 2, gpusPerNode: 4 });
    batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    // The storage Secret the Job references by name: credentials never enter the Job, the workflow or its history.
    await core.createNamespacedSecret({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'gauntlet-storage' },
        stringData: {
          GAUNTLET_STORAGE_ENDPOINT: stack.storage.endpoint,
          GAUNTLET_STORAGE_ACCESS_KEY: stack.storage.accessKey,
          GAUNTLET_STORAGE_SECRET_KEY: stack.storage.secretKey,
        },
      },
    });
    worker = await startWorkerProcess({ ...stack.env, GAUNTLET_KUBECONFIG: cluster.kubeconfig });
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await cluster?.stop();
    await stack?.stop();
  });

  /** A pipeline whose jobs run on the cluster; the pod runner runs the reference trainer for them. */
  const pipeline = (name: string, train: string, extra = '') => `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
executor: kubernetes
data: { source: "sklearn:digits" }
checks: { preprocessing: { enabled: false } }   # its inspect job would change the job counts asserted here
trainer: { heartbeatTimeout: 10s, retry: { maximumAttempts: 3, initialInterval: 500ms } }
train: ${train}
kubernetes:
  namespace: ${NAMESPACE}
  image: gauntlet-trainer:dev
  command: ["${python}", "${join(repoRoot, 'trainer', 'reference_trainer.py')}"]
  gpus: 1
  podAnnotations: { "${RUN_LOCALLY_ANNOTATION}": "true" }
${extra}`;

  const runFile = (name: string, text: string) => {
    const file = join(specDir, `${name}.yaml`);
    writeFileSync(file, text);
    return file;
  };

  const jobsOfRun = async (runId: string) =>
    (await batch.listNamespacedJob({ namespace: NAMESPACE, labelSelector: `${LABEL.run}=${runId}` })).items;

  const RunJson = z.object({ runId: z.string(), status: z.string(), metrics: z.record(z.string(), z.number().nullable()), manifestUri: z.string().optional(), error: z.string().optional() });

  test('GIVEN executor: kubernetes WHEN the digits pipeline runs THEN every job is a labelled batch/v1 Job and training reaches real accuracy', async () => {
    const run = await runCli(['run', runFile('k8s-digits', pipeline('k8s-digits', '{ epochs: 15, schedule: { kind: one_cycle, maxLr: 0.3 } }')), '--json'], stack.env);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const result = RunJson.parse(JSON.parse(run.stdout));
    assert.ok((result.metrics.test_accuracy ?? 0) >= 0.9, `test accuracy ${result.metrics.test_accuracy}`);
    const jobs = await jobsOfRun(result.runId);
    assert.deepEqual(jobs.map((job) => job.metadata?.labels?.[LABEL.stage]).sort(), ['evaluate', 'overfit', 'train']);
    for (const job of jobs) {
      const container = job.spec?.template.spec?.containers[0];
      assert.equal(container?.resources?.limits?.['nvidia.com/gpu'], '1');
      assert.equal(job.spec?.backoffLimit, 0);
      assert.ok(job.metadata?.name && job.metadata.name.length <= 63);
      assert.doesNotMatch(JSON.stringify(job), new RegExp(stack.storage.secretKey), 'no credential value in the Job');
    }
  });

  test('GIVEN 20 one-GPU jobs on 2 nodes × 4 GPUs WHEN run through the executor THEN never more than 8 run at once and all complete', async () => {
    const watcher = new JobWatcher(cluster.kubeConfig);
    const executor = new KubernetesExecutor({ kubeConfig: cluster.kubeConfig, watcher, store, pollMs: 500 });
    let maxRunning = 0;
    const sampler = setInterval(() => {
      core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `${LABEL.run}=fanout` }).then((pods) => {
        maxRunning = Math.max(maxRunning, pods.items.filter((pod) => pod.status?.phase === 'Running').length);
      }, () => undefined);
    }, 200);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => executor.run(request(`fanout-${i}`, { 'gauntlet.dev/sim-duration': '3s' }), hooks())),
      );
      assert.deepEqual(outcomes.map((outcome) => outcome.exitCode), Array(20).fill(0));
      assert.ok(outcomes.every((outcome) => outcome.failure === undefined));
    } finally {
      clearInterval(sampler);
      await watcher.stop();
    }
    assert.ok(maxRunning <= 8, `at most 8 one-GPU pods may run on 8 GPUs, saw ${maxRunning}`);
    assert.ok(maxRunning >= 4, `the sampler should have seen the cluster busy, saw ${maxRunning}`);
  });

  test('GIVEN simulated failures THEN the executor classifies them: exit code → retryable, OOM → retryable, image pull → not retryable, at once', async () => {
    const watcher = new JobWatcher(cluster.kubeConfig);
    const executor = new KubernetesExecutor({ kubeConfig: cluster.kubeConfig, watcher, store, pollMs: 500 });
    try {
      const [exit3, oom, pull] = await Promise.all([
        executor.run(request('sim-exit', { 'gauntlet.dev/sim-exit-code': '3' }), hooks()),
        executor.run(request('sim-oom', { 'gauntlet.dev/sim-oom': 'true' }), hooks()),
        executor.run(request('sim-pull', { 'gauntlet.dev/sim-image-pull-error': 'true' }), hooks()),
      ]);
      assert.deepEqual([exit3.failure?.retryable, exit3.exitCode], [true, 3]);
      assert.deepEqual([oom.failure?.retryable, oom.failure?.reason], [true, 'OOMKilled']);
      assert.equal(pull.failure?.retryable, false);
      assert.match(pull.failure?.message ?? '', /cannot pull image gauntlet-trainer:dev/);
    } finally {
      await watcher.stop();
    }
  });

  test('GIVEN a job that fails once WHEN the activity retries THEN the failed Job is replaced under the same name and the run succeeds', async () => {
    // The first launch exits 3 (retryable); the retry's pod finds the marker and trains for real.
    const marker = join(specDir, 'failed-once');
    const command = `["/bin/sh", "-c", "if [ -f ${marker} ]; then exec ${python} ${join(repoRoot, 'trainer', 'reference_trainer.py')}; else touch ${marker}; exit 3; fi"]`;
    const text = pipeline('k8s-retry', '{ epochs: 3, schedule: { kind: one_cycle, maxLr: 0.3 } }', 'gates: { overfit: { enabled: false } }\nstageExecutors: { evaluate: local }')
      .replace(/command: \[.*\]/, `command: ${command}`);
    const run = await runCli(['run', runFile('k8s-retry', text), '--json'], stack.env);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const result = RunJson.parse(JSON.parse(run.stdout));
    const jobs = await jobsOfRun(result.runId);
    assert.equal(jobs.length, 1, 'one Job for the train stage (evaluate ran locally), never two');
    assert.equal(jobs[0]?.metadata?.annotations?.['gauntlet.dev/launch'], '2');
  });

  test('GIVEN a pod that is evicted mid-training WHEN the activity retries THEN the new Job resumes from the last checkpoint', async () => {
    const text = pipeline('k8s-evict', '{ epochs: 8, hyperparameters: { slowdownSeconds: 1 }, schedule: { kind: one_cycle, maxLr: 0.3 } }', 'gates: { overfit: { enabled: false } }');
    const run = runCli(['run', runFile('k8s-evict', text), '--json'], stack.env);
    const pod = await waitForPod('k8s-evict', 'train', (candidate) => candidate.status?.phase === 'Running');
    // Evict only once a checkpoint is in the store, so the retry has something to resume from.
    const runId = pod.metadata?.labels?.[LABEL.run] ?? '';
    await waitFor(async () => {
      const uri = `s3://${stack.bucket}/runs/${runId}/train/events.jsonl`;
      return (await store.exists(uri)) && (await store.getBytes(uri)).toString().includes('checkpoint');
    }, 120_000, 'a first checkpoint');
    await core.createNamespacedPodEviction({ name: pod.metadata?.name ?? '', namespace: NAMESPACE, body: { metadata: { name: pod.metadata?.name ?? '', namespace: NAMESPACE } } });
    const finished = await run;
    assert.equal(finished.code, 0, finished.stderr + finished.stdout);
    const result = RunJson.parse(JSON.parse(finished.stdout));
    const manifest = z
      .object({ jobs: z.object({ train: z.object({ launches: z.number(), resumedFromEpoch: z.number().nullable() }) }) })
      .parse(JSON.parse((await store.getBytes(result.manifestUri ?? '')).toString()));
    assert.equal(manifest.jobs.train.launches, 2);
    assert.ok((manifest.jobs.train.resumedFromEpoch ?? 0) >= 1, `resumed from epoch ${manifest.jobs.train.resumedFromEpoch}`);
  });

  test('GIVEN running jobs WHEN the worker is killed -9 and a new one starts THEN the run completes with exactly one Job per job', async () => {
    const text = pipeline('k8s-crash', '{ epochs: 8, hyperparameters: { slowdownSeconds: 1 }, schedule: { kind: one_cycle, maxLr: 0.3 } }', 'gates: { overfit: { enabled: false } }');
    const run = runCli(['run', runFile('k8s-crash', text), '--json'], stack.env);
    await waitForPod('k8s-crash', 'train', (candidate) => candidate.status?.phase === 'Running');
    await worker.kill('SIGKILL');
    worker = await startWorkerProcess({ ...stack.env, GAUNTLET_KUBECONFIG: cluster.kubeconfig });
    const finished = await run;
    assert.equal(finished.code, 0, finished.stderr + finished.stdout);
    const result = RunJson.parse(JSON.parse(finished.stdout));
    const jobs = await jobsOfRun(result.runId);
    assert.deepEqual(jobs.map((job) => job.metadata?.labels?.[LABEL.stage]).sort(), ['evaluate', 'train'], 'exactly one Job per job: none duplicated, none lost');
    assert.ok(jobs.every((job) => job.metadata?.annotations?.['gauntlet.dev/launch'] === '1'));
  });

  test('GIVEN a sweep on the cluster WHEN kube-apiserver is killed -9 and restarted mid-sweep THEN no trial fails or is launched twice, and the API server holds exactly one Job per trial', async () => {
    // One trial holds after its first epoch until the test has restarted the API server: the outage lands mid-sweep.
    const release = join(specDir, 'k8s-chaos-release');
    const text = pipeline(
      'k8s-chaos',
      `{ epochs: 3, hyperparameters: { slowdownSeconds: 1, holdFile: "${release}" }, schedule: { kind: one_cycle, maxLr: 0.3 } }`,
      `gates: { overfit: { enabled: false }, oracle: { enabled: false } }
sweep:
  space: { hidden: { choice: [16, 32, 64] }, dropout: { uniform: [0, 0.3] } }
  strategy: { kind: random, seed: 5 }
  budget: { maxTrials: 6, maxFailedTrials: 0, gpuBudget: 2 }`,
    ).replace('retry: { maximumAttempts: 3, initialInterval: 500ms }', 'retry: { maximumAttempts: 1 }');
    const run = runCli(['run', runFile('k8s-chaos', text), '--json'], stack.env, 900_000);
    await waitFor(async () => existsSync(`${release}.claim`), 300_000, 'the held trial to reach its first epoch');
    const apiserver = (await clusterStatus({ stateDir: cluster.stateDir })).components.find((component) => component.name === 'kube-apiserver');
    assert.ok(apiserver?.pid, 'kube-apiserver runs');
    process.kill(apiserver.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await clusterUp({ stateDir: cluster.stateDir, log: () => undefined });
    writeFileSync(release, 'go');
    const finished = await run;
    assert.equal(finished.code, 0, finished.stderr + finished.stdout);
    const result = RunJson.parse(JSON.parse(finished.stdout));
    const trials = JSON.parse((await runCli(['sweep', 'status', result.runId, '--json'], stack.env)).stdout) as { trial: number; status: string; launches: number; error?: string }[];
    assert.equal(trials.length, 6, 'every planned trial ran');
    assert.ok(trials.every((trial) => trial.status === 'completed' && trial.launches === 1), trials.map((t) => `${t.trial}:${t.status}:${t.launches}:${t.error ?? ''}`).join('\n'));
    const jobs = await batch.listNamespacedJob({ namespace: NAMESPACE, labelSelector: `${LABEL.run}=${result.runId}-sweep` });
    const stages = jobs.items.map((job) => job.metadata?.labels?.[LABEL.stage] ?? '').sort();
    assert.deepEqual(stages, Array.from({ length: 6 }, (_, i) => `trial-${i}`).sort(), 'one Job per trial: none duplicated, none lost');
    assert.ok(jobs.items.every((job) => job.metadata?.annotations?.['gauntlet.dev/launch'] === '1'));
  });

  test('GIVEN a running pipeline WHEN it is cancelled THEN its Jobs and their pods are gone', async () => {
    const text = pipeline('k8s-cancel', '{ epochs: 30, hyperparameters: { slowdownSeconds: 1 }, schedule: { kind: one_cycle, maxLr: 0.3 } }', 'gates: { overfit: { enabled: false } }');
    const run = runCli(['run', runFile('k8s-cancel', text), '--json'], stack.env);
    const pod = await waitForPod('k8s-cancel', 'train', (candidate) => candidate.status?.phase === 'Running');
    const runId = pod.metadata?.labels?.[LABEL.run] ?? '';
    const cancel = await runCli(['cancel', runId], stack.env);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.notEqual((await run).code, 0);
    await waitFor(async () => (await jobsOfRun(runId)).length === 0, 30_000, 'the Jobs to be deleted');
    await waitFor(
      async () => (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `${LABEL.run}=${runId}` })).items.length === 0,
      30_000,
      'the pods to be deleted',
    );
  });

  test('GIVEN a bad kubernetes section WHEN it is run THEN it is rejected before anything is created', async () => {
    const before = (await batch.listNamespacedJob({ namespace: NAMESPACE })).items.length;
    const bad = pipeline('k8s-bad', '{ epochs: 1, schedule: { kind: constant, lr: 0.1 } }').replace('gpus: 1', 'gpus: -2\n  tolerations: [{ key: a, operator: Sometimes }]');
    const run = await runCli(['run', runFile('k8s-bad', bad)], stack.env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /kubernetes\.gpus: .* \(got -2\)/);
    assert.match(run.stderr, /kubernetes\.tolerations\[0\]\.operator: .* \(got "Sometimes"\)/);
    assert.equal((await batch.listNamespacedJob({ namespace: NAMESPACE })).items.length, before);
  });

  function request(name: string, annotations: Record<string, string>): ExecutionRequest {
    const job = Job.parse({
      contract: 'gauntlet.job/v1',
      jobId: name,
      mode: 'train',
      seed: 0,
      data: { uri: `s3://${stack.bucket}/none.csv`, sha256: 'a'.repeat(64), splitUri: `s3://${stack.bucket}/none.json`, numClasses: 2 },
      output: { prefix: `s3://${stack.bucket}/executor-test/${name}/` },
    });
    return {
      job,
      trainer: TrainerSpec.parse({}),
      executor: 'kubernetes',
      kubernetes: KubernetesSpec.parse({ namespace: NAMESPACE, image: 'gauntlet-trainer:dev', gpus: 1, podAnnotations: annotations }),
      identity: { pipeline: 'executor-test', run: name.startsWith('fanout') ? 'fanout' : name, stage: 'train' },
      deadlineSeconds: 600,
    };
  }

  function hooks(): ExecutionHooks {
    return {
      onEvent: () => undefined,
      heartbeat: (_state: ExecutionCheckpoint) => undefined,
      signal: new AbortController().signal,
      isWorkerShutdown: () => false,
      previous: null,
      resumeFrom: (job) => job,
    };
  }

  async function waitForPod(pipelineName: string, stage: string, ready: (pod: V1Pod) => boolean): Promise<V1Pod> {
    let found: V1Pod | undefined;
    await waitFor(
      async () => {
        const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `${LABEL.pipeline}=${pipelineName},${LABEL.stage}=${stage}` });
        found = pods.items.find(ready);
        return found !== undefined;
      },
      90_000,
      `a ${stage} pod of ${pipelineName}`,
    );
    return found as V1Pod;
  }
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
