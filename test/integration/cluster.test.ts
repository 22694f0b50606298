/**
 * The local Kubernetes cluster (deploy/dev/cluster) with the real control plane: kube-apiserver, etcd,
 * kube-controller-manager (the Job controller), kube-scheduler; kwok plays the kubelets of two fake 4-GPU nodes.
 * Plain batch/v1 Jobs created with @kubernetes/client-node, outcomes read back the way an executor reads them.
 * The first run on a machine builds the binaries from Go modules (see deploy/dev/cluster/README.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  type V1EnvVar,
  type V1Job,
  type V1JobCondition,
  type V1Pod,
  type V1PodFailurePolicy,
  loadAllYaml,
} from '@kubernetes/client-node';
import { statusOf } from '../../deploy/dev/cluster/kube.js';
import { RUN_LOCALLY_ANNOTATION } from '../../deploy/dev/cluster/podRunner.js';
import { type TestCluster, clusterBinariesMissingReason, startTestCluster } from '../../deploy/dev/cluster/testCluster.js';
import { portInUse } from '../../deploy/dev/net.js';
import { processStartTime, sleep } from '../../deploy/dev/process.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';

const SIM = 'sim';
const skip = await clusterBinariesMissingReason();

interface JobOptions {
  annotations?: Record<string, string>;
  gpus?: number;
  command?: string[];
  env?: V1EnvVar[];
  podFailurePolicy?: V1PodFailurePolicy;
  labels?: Record<string, string>;
}

function job(name: string, o: JobOptions = {}): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: o.labels },
    spec: {
      backoffLimit: 0,
      podFailurePolicy: o.podFailurePolicy,
      template: {
        metadata: { annotations: o.annotations, labels: o.labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'trainer',
              image: 'gauntlet/trainer:dev',
              command: o.command,
              env: o.env,
              resources: o.gpus ? { limits: { 'nvidia.com/gpu': String(o.gpus) } } : undefined,
            },
          ],
        },
      },
    },
  };
}

const condition = (j: V1Job, type: string): V1JobCondition | undefined => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

// A skipped suite counts no test: skip one visible test instead, with the reason.
if (skip) it('local Kubernetes cluster (KWOK + real control plane)', { skip }, () => undefined);
else describe('local Kubernetes cluster (KWOK + real control plane)', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  const finished = (name: string, namespace = SIM) =>
    until(`Job ${namespace}/${name} to finish`, async () => {
      const j = await batch.readNamespacedJob({ name, namespace });
      return condition(j, 'Complete') || condition(j, 'Failed') ? j : undefined;
    });
  const podsOf = async (name: string, namespace = SIM): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` })).items;

  before(async () => {
    cluster = await startTestCluster({ gpuNodes: 2, gpusPerNode: 4, podRunner: true });
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
    await core.createNamespace({ body: { metadata: { name: SIM } } });
    // Pods need the namespace's default ServiceAccount (the controller-manager creates it).
    await until('the default ServiceAccount', async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: SIM }).catch(() => undefined)) ?? undefined);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('brings up 2 Ready nodes with nvidia.com/gpu 4, reported by `gauntlet dev cluster status --json`; up again is a no-op', async () => {
    const status = await runCli(['dev', 'cluster', 'status', '--state-dir', cluster.stateDir, '--json'], {});
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { kubeconfig: string; ready: boolean; nodes: { name: string; ready: boolean; gpus: number }[] };
    assert.equal(parsed.kubeconfig, join(cluster.stateDir, 'cluster', 'kubeconfig'));
    assert.equal(parsed.ready, true);
    assert.deepEqual(
      parsed.nodes.map(({ name, ready, gpus }) => ({ name, ready, gpus })),
      [
        { name: 'gauntlet-gpu-0', ready: true, gpus: 4 },
        { name: 'gauntlet-gpu-1', ready: true, gpus: 4 },
      ],
    );
    const node = await core.readNode({ name: 'gauntlet-gpu-0' });
    assert.equal(node.status?.capacity?.['nvidia.com/gpu'], '4');
    assert.equal(node.metadata?.annotations?.['kwok.x-k8s.io/node'], 'fake');
    assert.equal(node.metadata?.labels?.['gauntlet.dev/gpu'], 'true');
    assert.deepEqual(node.spec?.taints ?? [], []);

    const again = await runCli(['dev', 'cluster', 'up', '--state-dir', cluster.stateDir, '--json'], {});
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { action: string }).action, 'already running');
  });

  it('runs 20 one-GPU Jobs at most 8 at a time (2 nodes × 4 GPUs), and all complete', async () => {
    const labels = { 'gauntlet.dev/test': 'gpu-cap' };
    for (let i = 0; i < 20; i++) {
      await batch.createNamespacedJob({ namespace: SIM, body: job(`gpu-${i}`, { gpus: 1, labels, annotations: { 'gauntlet.dev/sim-duration': '2s' } }) });
    }
    let maxRunning = 0;
    let maxHolding = 0;
    let maxPerNode = 0;
    await until(
      '20 Jobs to complete',
      async () => {
        const pods = (await core.listNamespacedPod({ namespace: SIM, labelSelector: 'gauntlet.dev/test=gpu-cap' })).items;
        // Pods bound to a node and not finished hold their GPU (the scheduler's view).
        const holding = pods.filter((p) => p.spec?.nodeName && (p.status?.phase === 'Pending' || p.status?.phase === 'Running'));
        maxRunning = Math.max(maxRunning, pods.filter((p) => p.status?.phase === 'Running').length);
        maxHolding = Math.max(maxHolding, holding.length);
        for (const node of ['gauntlet-gpu-0', 'gauntlet-gpu-1']) {
          maxPerNode = Math.max(maxPerNode, holding.filter((p) => p.spec?.nodeName === node).length);
        }
        const jobs = (await batch.listNamespacedJob({ namespace: SIM, labelSelector: 'gauntlet.dev/test=gpu-cap' })).items;
        return jobs.length === 20 && jobs.every((j) => condition(j, 'Complete')) ? jobs : undefined;
      },
      240_000,
    );
    assert.ok(maxRunning <= 8, `at most 8 pods Running at once, saw ${maxRunning}`);
    assert.ok(maxPerNode <= 4, `at most 4 GPU pods on a node at once, saw ${maxPerNode}`);
    assert.equal(maxHolding, 8, 'the scheduler fills all 8 GPUs while Jobs wait');
  });

  it('simulates exit codes, OOM kills, evictions and image pull errors as a kubelet reports them', async () => {
    await batch.createNamespacedJob({
      namespace: SIM,
      body: job('exit-3', {
        annotations: { 'gauntlet.dev/sim-duration': '1s', 'gauntlet.dev/sim-exit-code': '3' },
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [3] } }] },
      }),
    });
    await batch.createNamespacedJob({ namespace: SIM, body: job('oom', { annotations: { 'gauntlet.dev/sim-duration': '1s', 'gauntlet.dev/sim-oom': 'true' } }) });
    await batch.createNamespacedJob({
      namespace: SIM,
      body: job('evicted', {
        annotations: { 'gauntlet.dev/sim-duration': '1s', 'gauntlet.dev/sim-evict': 'true' },
        // A disruption must not count against backoffLimit 0: the Job controller has to see DisruptionTarget.
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
      }),
    });
    await batch.createNamespacedJob({ namespace: SIM, body: job('bad-image', { annotations: { 'gauntlet.dev/sim-image-pull-error': 'true' } }) });

    const exit3 = await finished('exit-3');
    assert.equal(condition(exit3, 'Failed')?.reason, 'PodFailurePolicy');
    const [exitPod] = await podsOf('exit-3');
    assert.equal(exitPod?.status?.phase, 'Failed');
    assert.equal(exitPod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);

    const oom = await finished('oom');
    assert.equal(condition(oom, 'Failed')?.reason, 'BackoffLimitExceeded');
    const oomTerminated = (await podsOf('oom'))[0]?.status?.containerStatuses?.[0]?.state?.terminated;
    assert.deepEqual({ reason: oomTerminated?.reason, exitCode: oomTerminated?.exitCode }, { reason: 'OOMKilled', exitCode: 137 });

    // Ignored: the Job stays active, counts no failure, and replaces the evicted pod.
    const evictedPods = await until('a replacement for the evicted pod', async () => {
      const pods = await podsOf('evicted');
      return pods.length >= 2 ? pods : undefined;
    });
    const evicted = evictedPods.find((p) => p.status?.reason === 'Evicted');
    assert.equal(evicted?.status?.phase, 'Failed');
    assert.equal(evicted?.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.status, 'True');
    const evictedJob = await batch.readNamespacedJob({ name: 'evicted', namespace: SIM });
    assert.equal(condition(evictedJob, 'Failed'), undefined);
    assert.equal(evictedJob.status?.failed ?? 0, 0);

    const waiting = await until('ImagePullBackOff', async () => {
      const w = (await podsOf('bad-image'))[0]?.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'ImagePullBackOff' ? w : undefined;
    });
    assert.match(waiting.message ?? '', /gauntlet\/trainer:dev/);
    assert.equal((await podsOf('bad-image'))[0]?.status?.phase, 'Pending');
    assert.equal(condition(await batch.readNamespacedJob({ name: 'bad-image', namespace: SIM }), 'Failed'), undefined);

    for (const name of ['evicted', 'bad-image']) await batch.deleteNamespacedJob({ name, namespace: SIM, propagationPolicy: 'Background' });
  });

  it('pod runner: a run-locally pod runs its real command with Secret env, its log is readable, its exit code fails the Job', async () => {
    await core.createNamespacedSecret({ namespace: SIM, body: { metadata: { name: 'storage' }, stringData: { secretKey: 'not-in-the-spec' } } });
    const env = [
      { name: 'STORAGE_SECRET', valueFrom: { secretKeyRef: { name: 'storage', key: 'secretKey' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
    const annotations = { [RUN_LOCALLY_ANNOTATION]: 'true' };
    await batch.createNamespacedJob({
      namespace: SIM,
      body: job('local-fail', {
        annotations,
        env,
        gpus: 1,
        command: ['sh', '-c', 'echo hi; echo "secret=$STORAGE_SECRET pod=$(POD_NAME)"; echo oops >&2; exit 3'],
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [3] } }] },
      }),
    });
    await batch.createNamespacedJob({ namespace: SIM, body: job('local-ok', { annotations, command: ['sh', '-c', 'sleep 1; echo done'] }) });

    const failed = await finished('local-fail');
    assert.equal(condition(failed, 'Failed')?.reason, 'PodFailurePolicy');
    assert.match(condition(failed, 'Failed')?.message ?? '', /exit code 3/);
    const [pod] = await podsOf('local-fail');
    const name = pod!.metadata!.name!;
    assert.equal(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
    assert.equal(pod?.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
    const log = await core.readNamespacedPodLog({ name, namespace: SIM, container: 'trainer' });
    assert.equal(log, `hi\nsecret=not-in-the-spec pod=${name}\noops\n`);

    const ok = await finished('local-ok');
    assert.ok(condition(ok, 'Complete'));
    const [okPod] = await podsOf('local-ok');
    assert.equal(await core.readNamespacedPodLog({ name: okPod!.metadata!.name!, namespace: SIM }), 'done\n');
    const okTerminated = okPod?.status?.containerStatuses?.[0]?.state?.terminated;
    assert.ok(okTerminated && Date.parse(String(okTerminated.finishedAt)) - Date.parse(String(okTerminated.startedAt)) >= 900, 'ran its 1 s');
  });

  it('pod runner: deleting a running Job stops its local process (SIGTERM) before the pod goes, as a kubelet does', async () => {
    const command = ['sh', '-c', 'trap "echo stopping; exit 143" TERM; echo started; while true; do sleep 0.1; done'];
    await batch.createNamespacedJob({ namespace: SIM, body: job('local-cancel', { annotations: { [RUN_LOCALLY_ANNOTATION]: 'true' }, command }) });
    const pod = await until('the local pod to run', async () => {
      const [p] = await podsOf('local-cancel');
      return p?.status?.phase === 'Running' ? p : undefined;
    });
    const { name = '', uid = '' } = pod.metadata ?? {};
    await until('its first log line', async () => ((await core.readNamespacedPodLog({ name, namespace: SIM })) === 'started\n' ? true : undefined));
    await batch.deleteNamespacedJob({ name: 'local-cancel', namespace: SIM, propagationPolicy: 'Background' });
    await until('the pod to be gone', async () => ((await podsOf('local-cancel')).length === 0 ? true : undefined));
    const log = readFileSync(join(cluster.stateDir, 'cluster', 'pods', `${SIM}_${name}_${uid}`, 'trainer', '0.log'), 'utf8');
    assert.match(log, /stdout F started\n.*stdout F stopping\n$/s);
    assert.equal(cluster.runner?.active(), 0);
  });

  it('deploy/k8s/worker-rbac.yaml: the worker ServiceAccount can run Jobs in its namespace, nothing more', async () => {
    const client = cluster.kubeConfig.makeApiClient(KubernetesObjectApi);
    for (const file of ['namespace.yaml', 'worker-rbac.yaml']) {
      // `dev cluster up` (the first test's second up) has applied these files already: same objects, keep them.
      for (const doc of loadAllYaml(readFileSync(join(repoRoot, 'deploy', 'k8s', file), 'utf8')) as KubernetesObject[]) {
        await client.create(doc).catch((error: unknown) => {
          if (statusOf(error) !== 409) throw error;
        });
      }
    }
    await core.createNamespacedSecret({ namespace: 'gauntlet', body: { metadata: { name: 'storage' }, stringData: { secretKey: 'x' } } });
    const token = await core.createNamespacedServiceAccountToken({
      name: 'gauntlet-worker',
      namespace: 'gauntlet',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    // A kubeconfig with only the ServiceAccount's token: what the worker gets in its pod.
    const admin = cluster.kubeConfig.getCurrentCluster()!;
    const worker = new KubeConfig();
    worker.loadFromOptions({
      clusters: [{ name: 'local', server: admin.server, caFile: admin.caFile, skipTLSVerify: false }],
      users: [{ name: 'gauntlet-worker', token: token.status!.token }],
      contexts: [{ name: 'worker', cluster: 'local', user: 'gauntlet-worker' }],
      currentContext: 'worker',
    });
    const wBatch = worker.makeApiClient(BatchV1Api);
    const wCore = worker.makeApiClient(CoreV1Api);
    const forbidden = async (what: string, call: () => Promise<unknown>) => {
      const error = await call().then(() => undefined, (e: unknown) => e);
      assert.equal(statusOf(error), 403, `${what} must be forbidden`);
    };

    await wBatch.createNamespacedJob({ namespace: 'gauntlet', body: job('rbac-probe') });
    assert.equal((await wBatch.readNamespacedJob({ name: 'rbac-probe', namespace: 'gauntlet' })).metadata?.name, 'rbac-probe');
    await wCore.listNamespacedPod({ namespace: 'gauntlet' });
    await wBatch.deleteNamespacedJob({ name: 'rbac-probe', namespace: 'gauntlet', propagationPolicy: 'Background' });

    await forbidden('creating a Job in another namespace', () => wBatch.createNamespacedJob({ namespace: SIM, body: job('rbac-elsewhere') }));
    await forbidden('reading a Secret', () => wCore.readNamespacedSecret({ name: 'storage', namespace: 'gauntlet' }));
    await forbidden('listing Secrets', () => wCore.listNamespacedSecret({ namespace: 'gauntlet' }));
    await forbidden('creating a pod directly', () =>
      wCore.createNamespacedPod({ namespace: 'gauntlet', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } } }),
    );
    await forbidden('listing nodes', () => wCore.listNode());

    const authz = worker.makeApiClient(AuthorizationV1Api);
    const can = async (verb: string, resource: string, opts: { group?: string; subresource?: string; namespace?: string } = {}) =>
      (await authz.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { verb, resource, group: opts.group ?? '', subresource: opts.subresource, namespace: opts.namespace ?? 'gauntlet' } } },
      })).status?.allowed ?? false;
    for (const verb of ['create', 'get', 'list', 'watch', 'delete']) assert.equal(await can(verb, 'jobs', { group: 'batch' }), true, `jobs ${verb}`);
    for (const verb of ['update', 'patch', 'deletecollection']) assert.equal(await can(verb, 'jobs', { group: 'batch' }), false, `jobs ${verb}`);
    for (const verb of ['get', 'list', 'watch']) assert.equal(await can(verb, 'pods'), true, `pods ${verb}`);
    assert.equal(await can('get', 'pods', { subresource: 'log' }), true, 'pods/log get');
    assert.equal(await can('create', 'pods', { subresource: 'exec' }), false, 'pods/exec');
    assert.equal(await can('list', 'jobs', { group: 'batch', namespace: 'default' }), false, 'jobs in another namespace');
  });

  it('down stops every process it started and frees the API server port', async () => {
    const pidDir = join(cluster.stateDir, 'cluster', 'kwok', 'clusters', 'gauntlet', 'pids');
    const pids = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller'].map((name) =>
      Number(readFileSync(join(pidDir, `${name}.pid`), 'utf8')),
    );
    assert.ok(pids.every((pid) => processStartTime(pid) !== undefined), 'all components run before down');
    const port = Number(new URL(cluster.up.server).port);
    await cluster.stop();
    assert.deepEqual(pids.filter((pid) => processStartTime(pid) !== undefined), []);
    assert.equal(await portInUse('127.0.0.1', port), false);
    assert.equal(cluster.runner?.active(), 0);
  });
});
