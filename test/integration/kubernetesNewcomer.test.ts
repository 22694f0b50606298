/**
 * The Kubernetes path as a newcomer walks it, through the real CLI on an isolated state folder and free ports:
 *   gauntlet dev up && gauntlet dev cluster up && gauntlet run examples/digits/kubernetes.yaml
 * trains digits through batch/v1 Jobs on the fake GPU nodes (the pod runner plays the trainer image from this checkout)
 * to real accuracy. `dev cluster up` is idempotent; `dev cluster down` puts the dev worker back on the local executor;
 * `--executor kubernetes` on a pipeline without a kubernetes: section keeps its clear error.
 */
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { LABEL } from '../../activities/executor/kubernetes/manifest.js';
import { killClusterProcessesSync } from '../../deploy/dev/cluster/cluster.js';
import { loadKubeConfig } from '../../deploy/dev/cluster/kube.js';
import { clusterPaths } from '../../deploy/dev/cluster/paths.js';
import { clusterBinariesMissingReason } from '../../deploy/dev/cluster/testCluster.js';
import { freePorts } from '../../deploy/dev/net.js';
import { statePaths } from '../../deploy/dev/paths.js';
import { isOurs, readPidFile } from '../../deploy/dev/process.js';
import { SERVICE_NAMES } from '../../deploy/dev/service.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { runCli } from '../support/cli.js';

const skip = await clusterBinariesMissingReason();

const RunJson = z.object({ runId: z.string(), status: z.string(), metrics: z.record(z.string(), z.number().nullable()) });

describe('the Kubernetes path for a newcomer (dev up, dev cluster up, run)', { skip }, () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'gauntlet-newcomer-'));
  const paths = statePaths(stateDir);
  let env: Record<string, string>;
  let ports: number[];

  /** The worker's pid and environment, read from /proc: what `dev up` / `dev cluster up|down` started it with. */
  const workerEnv = (): Record<string, string> => {
    const record = readPidFile(paths.pidFile('worker'));
    assert.ok(record && isOurs(record), 'the dev worker runs');
    const pairs = readFileSync(`/proc/${record.pid}/environ`, 'utf8').split('\0').filter(Boolean);
    return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  };
  const lastBanner = () => readFileSync(paths.log('worker'), 'utf8').split('\n').filter((line) => line.includes('gauntlet worker started')).at(-1) ?? '';

  /** A test process that dies without after() must not leave a stack or a control plane behind. */
  const killOnExit = () => {
    killClusterProcessesSync(stateDir);
    const runner = readPidFile(clusterPaths(stateDir).runnerPidFile);
    const records = [...SERVICE_NAMES.map((name) => readPidFile(paths.pidFile(name))), runner];
    for (const record of records) {
      if (!isOurs(record)) continue;
      try {
        process.kill(-record!.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };

  before(async () => {
    await detectPython(); // the trainer needs a Python with torch: fail here with how to get one
    process.once('exit', killOnExit);
    ports = await freePorts(4);
    // As a person's shell would have it after `dev up` on these ports; nothing about Kubernetes.
    env = {
      GAUNTLET_STATE_DIR: stateDir,
      GAUNTLET_TEMPORAL_ADDRESS: `127.0.0.1:${ports[0]}`,
      GAUNTLET_UI_URL: `http://127.0.0.1:${ports[1]}`,
      GAUNTLET_STORAGE_ENDPOINT: `http://127.0.0.1:${ports[2]}`,
      GAUNTLET_KUBECONFIG: '',
      KUBECONFIG: '',
    };
  });
  after(async () => {
    await runCli(['dev', 'cluster', 'down', '--purge'], env ?? {}).catch(() => undefined);
    await runCli(['dev', 'down'], env ?? {}).catch(() => undefined);
    process.off('exit', killOnExit);
    if (process.env.GAUNTLET_KEEP_TEST_STATE !== '1') rmSync(stateDir, { recursive: true, force: true });
  });

  test('GIVEN dev up and dev cluster up WHEN examples/digits/kubernetes.yaml runs THEN every job is a one-GPU Job on a fake GPU node and test accuracy is real', async () => {
    const [temporalPort, uiPort, minioPort, consolePort] = ports.map(String) as [string, string, string, string];
    const up = await runCli(['dev', 'up', '--temporal-port', temporalPort, '--ui-port', uiPort, '--minio-port', minioPort, '--minio-console-port', consolePort], env);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(workerEnv().GAUNTLET_KUBECONFIG ?? '', '', 'before the cluster, the worker runs local jobs only');

    const cluster = await runCli(['dev', 'cluster', 'up'], env);
    assert.equal(cluster.code, 0, cluster.stderr + cluster.stdout);
    assert.match(cluster.stdout, /dev worker\s+restarted with GAUNTLET_KUBECONFIG=/);
    const workerKubeconfig = workerEnv().GAUNTLET_KUBECONFIG ?? '';
    assert.equal(workerKubeconfig, join(stateDir, 'cluster', 'worker-kubeconfig'));
    assert.match(lastBanner(), /executors local, kubernetes/);
    // The worker holds only its ServiceAccount's token (deploy/k8s/worker-rbac.yaml), not the admin certificate.
    assert.match(readFileSync(workerKubeconfig, 'utf8'), /token: /);
    assert.doesNotMatch(readFileSync(workerKubeconfig, 'utf8'), /client-key/);

    const run = await runCli(['run', 'examples/digits/kubernetes.yaml', '--json'], env, 900_000);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const result = RunJson.parse(JSON.parse(run.stdout));
    assert.equal(result.status, 'succeeded');
    assert.ok((result.metrics.test_accuracy ?? 0) >= 0.9, `test accuracy ${result.metrics.test_accuracy}`);

    const kc = loadKubeConfig(join(stateDir, 'cluster', 'kubeconfig'));
    const jobs = (await kc.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: 'gauntlet', labelSelector: `${LABEL.run}=${result.runId}` })).items;
    assert.deepEqual(jobs.map((job) => job.metadata?.labels?.[LABEL.stage]).sort(), ['evaluate', 'inspect', 'lr-find', 'overfit', 'train']);
    for (const job of jobs) {
      assert.equal(job.status?.succeeded, 1, `${job.metadata?.name} succeeded`);
      assert.equal(job.spec?.template.spec?.containers[0]?.resources?.limits?.['nvidia.com/gpu'], '1');
    }
    const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'gauntlet', labelSelector: `${LABEL.run}=${result.runId}` })).items;
    assert.ok(pods.length >= jobs.length && pods.every((pod) => /^gauntlet-gpu-\d+$/.test(pod.spec?.nodeName ?? '')), 'pods ran on the fake GPU nodes');
  });

  test('GIVEN the cluster is up WHEN dev cluster up runs again THEN it reports already running, keeps namespace and Secret, and the worker stays attached', async () => {
    const again = await runCli(['dev', 'cluster', 'up', '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    const result = z.object({ action: z.string(), worker: z.string(), workspace: z.object({ namespace: z.string(), storageSecret: z.string() }) }).parse(JSON.parse(again.stdout));
    assert.deepEqual([result.action, result.worker, result.workspace.namespace, result.workspace.storageSecret], ['already running', 'restarted', 'gauntlet', 'gauntlet-storage']);
    assert.match(lastBanner(), /executors local, kubernetes/);
  });

  test('GIVEN a pipeline without a kubernetes: section WHEN run with --executor kubernetes THEN exit 2 with the clear error and a pointer to the example', async () => {
    const run = await runCli(['run', 'examples/digits/pipeline.yaml', '--executor', 'kubernetes'], env);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /kubernetes: is required when a stage runs on the kubernetes executor \(give at least kubernetes\.image\)/);
    assert.match(run.stderr, /examples\/digits\/kubernetes\.yaml/);
  });

  test('GIVEN the cluster is up WHEN dev cluster down runs THEN the dev worker runs again without a kubeconfig', async () => {
    const down = await runCli(['dev', 'cluster', 'down'], env);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /restarted without the cluster/);
    assert.equal(workerEnv().GAUNTLET_KUBECONFIG ?? '', '');
    assert.match(lastBanner(), /executors local · node v\d+\.\d+\.\d+ · pid/);
  });
});
