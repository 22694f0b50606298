/**
 * charts/gauntlet with the pinned Helm (built from Go modules): `helm lint --strict`, values.schema.json refusing bad
 * values by name, the rendered objects (defaults and ci/full-values.yaml) checked for what the chart promises and
 * accepted by a real API server (server-side dry run, strict field validation), and `helm install` into the local
 * cluster with the worker pod really running (the pod runner starts its command as a local process) against a real
 * Temporal dev server, ready through the chart's /readyz, stopped gracefully by `helm uninstall`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type KubernetesObject, type V1ConfigMap, type V1Deployment, type V1Pod, type V1Role, type V1RoleBinding } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import { clusterPaths } from '../../deploy/dev/cluster/paths.js';
import { RUN_LOCALLY_ANNOTATION } from '../../deploy/dev/cluster/podRunner.js';
import { type TestCluster, clusterBinariesMissingReason, startTestCluster } from '../../deploy/dev/cluster/testCluster.js';
import { freePorts, httpStatus } from '../../deploy/dev/net.js';
import { sleep } from '../../deploy/dev/process.js';
import { type TestStack, startTestStack } from '../../deploy/dev/testStack.js';
import { WORKER_ENV, loadWorkerConfig } from '../../worker/config.js';
import { TelemetryEnv, telemetryConfig } from '../../worker/telemetry/config.js';
import { type Helm, helm as startHelm, helmMissingReason } from '../support/helm.js';
import { serverDryRun } from '../support/kubeDryRun.js';
import { repoRoot } from '../support/paths.js';

const CHART = join(repoRoot, 'charts', 'gauntlet');
const FULL_VALUES = join(CHART, 'ci', 'full-values.yaml');
const RELEASE_NS = 'gauntlet';

const Rendered = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
});

/** The documents of a multi-document YAML text, each checked to be a Kubernetes object. */
function objects(text: string): KubernetesObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as unknown)
    .filter((value) => value !== null)
    .map((value) => Rendered.parse(value));
}

/** The one object of `kind` (the typed view is the client library's; the shape was checked by Rendered). */
function one<T extends KubernetesObject>(docs: KubernetesObject[], kind: string): T {
  const found = docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}, got ${found.length}`);
  return found[0] as T;
}

const kinds = (docs: KubernetesObject[]) => docs.map((d) => d.kind).sort();

const [helmSkip, clusterSkip] = [await helmMissingReason(), await clusterBinariesMissingReason()];

if (helmSkip) it('Helm chart charts/gauntlet', { skip: helmSkip }, () => undefined);
else describe('Helm chart charts/gauntlet', () => {
  let helm: Helm;
  let scratch: string;
  let defaults: KubernetesObject[];
  let full: KubernetesObject[];

  const template = async (...extra: string[]) => helm.run(['template', 'gw', CHART, '--namespace', RELEASE_NS, ...extra]);
  const render = async (...extra: string[]) => {
    const result = await template(...extra);
    assert.equal(result.code, 0, result.stderr);
    return objects(result.stdout);
  };

  before(async () => {
    helm = await startHelm();
    scratch = mkdtempSync(join(tmpdir(), 'gauntlet-chart-'));
    defaults = await render();
    full = await render('--values', FULL_VALUES);
  });
  after(() => {
    helm?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('passes `helm lint --strict` with the defaults and with ci/full-values.yaml', async () => {
    for (const extra of [[], ['--values', FULL_VALUES]]) {
      const lint = await helm.run(['lint', '--strict', CHART, ...extra]);
      assert.equal(lint.code, 0, lint.stdout + lint.stderr);
      assert.match(lint.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('refuses bad values at template time, naming each bad field', async () => {
    const bad = join(scratch, 'bad-values.yaml');
    writeFileSync(
      bad,
      stringify({
        replicaCount: -1,
        temporal: { address: 'temporal-frontend' }, // no port
        storage: { secretKey: 'plain-text-secret' }, // a credential value instead of a Secret reference
        terminationGracePeriodSeconds: 10, // shorter than a heartbeat timeout
        worker: { healthPort: 'http', extraConfig: { GAUNTLET_STORAGE_SECRET_KEY: 'x' } },
        livenessProbe: { httpGet: { path: '/' } }, // the probe's path and port are the chart's
        podDisruptionBudget: { enabled: true, minAvailable: 'half' },
      }),
    );
    const result = await template('--values', bad);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /values don't meet the specifications of the schema/);
    for (const field of [
      "'/replicaCount'",
      "'/temporal/address'",
      "'/storage': additional properties 'secretKey' not allowed",
      "'/terminationGracePeriodSeconds'",
      "'/worker/healthPort'",
      "'/worker/extraConfig/GAUNTLET_STORAGE_SECRET_KEY'",
      "'/livenessProbe': additional properties 'httpGet' not allowed",
      "'/podDisruptionBudget/minAvailable'",
    ]) {
      assert.ok(result.stderr.includes(field), `the error names ${field}:\n${result.stderr}`);
    }
    // The same refusal for one value set on the command line (helm lint, install and upgrade validate alike).
    const typo = await helm.run(['lint', '--strict', CHART, '--set', 'replicas=2']);
    assert.notEqual(typo.code, 0);
    assert.match(typo.stdout + typo.stderr, /additional properties 'replicas' not allowed/);
  });

  it('renders the worker, its settings and least-privilege RBAC by default; NetworkPolicy and PDB only when asked', () => {
    assert.deepEqual(kinds(defaults), ['ConfigMap', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount']);
    assert.deepEqual(kinds(full), ['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'ServiceAccount']);
    // The policy lets in the health probes and the metrics scrape, each from the peers the values name.
    // The rendered YAML says `from` (the client's type names it `_from`).
    type Rule = { ports?: Array<{ port?: string | number }>; from?: Array<{ namespaceSelector?: { matchLabels?: Record<string, string> } }> };
    const ingress = (one<{ spec?: { ingress?: Rule[] } } & KubernetesObject>(full, 'NetworkPolicy').spec?.ingress ?? []);
    assert.deepEqual(ingress.map((rule) => [rule.ports?.[0]?.port, rule.from?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']]), [
      ['health', 'monitoring'],
      ['metrics', 'monitoring'],
    ]);
  });

  it("the ConfigMap holds only the worker's real GAUNTLET_* settings, and the worker loads them", () => {
    const data = one<V1ConfigMap>(defaults, 'ConfigMap').data ?? {};
    const known = new Set<string>([...Object.values(WORKER_ENV), ...Object.keys(TelemetryEnv.shape)]);
    assert.deepEqual(Object.keys(data).filter((k) => !known.has(k)), []);
    // Metrics on by default, tracing only with an endpoint (worker/telemetry/config.ts reads the same variables).
    assert.equal(telemetryConfig('gauntlet-worker', data).metrics?.port, 9464);
    assert.equal(telemetryConfig('gauntlet-worker', data).tracing, null);
    const fullData = one<V1ConfigMap>(full, 'ConfigMap').data ?? {};
    assert.deepEqual(Object.keys(fullData).filter((k) => !known.has(k) && !k.startsWith('GAUNTLET_')), []);
    assert.equal(telemetryConfig('gauntlet-worker', fullData).metrics?.port, 9100);
    assert.equal(telemetryConfig('gauntlet-worker', fullData).tracing?.serviceName, 'gauntlet-worker-prod');
    // With the two credentials the Deployment adds from the Secret, worker/config.ts accepts the whole set.
    const config = loadWorkerConfig({ ...data, GAUNTLET_STORAGE_ACCESS_KEY: 'key', GAUNTLET_STORAGE_SECRET_KEY: 'secret-value' });
    assert.equal(config.healthPort, 8080);
    assert.equal(config.kubeconfig, 'in-cluster');
    assert.equal(config.temporalAddress, 'temporal-frontend.temporal.svc.cluster.local:7233');
  });

  it('the Deployment probes the health endpoint, outlasts a heartbeat on shutdown, and takes credentials only from Secrets', () => {
    // The full values' podAnnotations say prometheus.io/scrape "false": a person's annotations win over the chart's.
    for (const [docs, port, grace, metrics, scrape] of [
      [defaults, 8080, 120, 9464, 'true'],
      [full, 9090, 600, 9100, 'false'],
    ] as const) {
      const template = one<V1Deployment>(docs, 'Deployment').spec?.template;
      const pod = template?.spec;
      const container = pod?.containers[0];
      assert.equal(pod?.terminationGracePeriodSeconds, grace);
      assert.deepEqual(container?.ports, [
        { name: 'health', containerPort: port, protocol: 'TCP' },
        { name: 'metrics', containerPort: metrics, protocol: 'TCP' },
      ]);
      assert.equal(template?.metadata?.annotations?.['prometheus.io/port'], String(metrics));
      assert.equal(template?.metadata?.annotations?.['prometheus.io/scrape'], scrape);
      assert.deepEqual(container?.livenessProbe?.httpGet, { path: '/healthz', port: 'health' });
      assert.deepEqual(container?.readinessProbe?.httpGet, { path: '/readyz', port: 'health' });
      assert.equal(one<V1ConfigMap>(docs, 'ConfigMap').data?.GAUNTLET_HEALTH_PORT, String(port));
      // Every env entry is a Secret reference; nothing secret is a literal value.
      for (const variable of container?.env ?? []) {
        assert.equal(variable.value, undefined, `${variable.name} is a literal`);
        assert.ok(variable.valueFrom?.secretKeyRef?.name, `${variable.name} is not from a Secret`);
      }
    }
    const env = one<V1Deployment>(full, 'Deployment').spec?.template.spec?.containers[0]?.env ?? [];
    assert.deepEqual(
      env.map((e) => [e.name, e.valueFrom?.secretKeyRef?.name]),
      [
        ['GAUNTLET_STORAGE_ACCESS_KEY', 'gauntlet-storage'],
        ['GAUNTLET_STORAGE_SECRET_KEY', 'gauntlet-storage'],
        ['GAUNTLET_TEMPORAL_API_KEY', 'temporal-api-key'],
      ],
    );
    const volumes = one<V1Deployment>(full, 'Deployment').spec?.template.spec?.volumes ?? [];
    assert.equal(volumes.find((v) => v.name === 'temporal-tls')?.secret?.secretName, 'temporal-client-tls');
  });

  it('grants exactly the rules of deploy/k8s/worker-rbac.yaml, in the jobs namespace, to the release ServiceAccount', async () => {
    const reference = objects(readFileSync(join(repoRoot, 'deploy', 'k8s', 'worker-rbac.yaml'), 'utf8'));
    const rules = one<V1Role>(reference, 'Role').rules;
    for (const docs of [defaults, full]) assert.deepEqual(one<V1Role>(docs, 'Role').rules, rules);
    const role = one<V1Role>(full, 'Role');
    const binding = one<V1RoleBinding>(full, 'RoleBinding');
    assert.equal(role.metadata?.namespace, 'gauntlet-jobs');
    assert.equal(binding.metadata?.namespace, 'gauntlet-jobs');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'gauntlet-worker', namespace: RELEASE_NS }]);
    assert.equal(one<V1Deployment>(full, 'Deployment').spec?.template.spec?.serviceAccountName, 'gauntlet-worker');
    // Without the Kubernetes executor there is nothing to grant, and no token to mount.
    const local = await render('--set', 'kubernetesExecutor.enabled=false');
    assert.deepEqual(kinds(local), ['ConfigMap', 'Deployment', 'ServiceAccount']);
    assert.equal(one<V1Deployment>(local, 'Deployment').spec?.template.spec?.automountServiceAccountToken, false);
    assert.equal(one<V1ConfigMap>(local, 'ConfigMap').data?.GAUNTLET_KUBECONFIG, undefined);
  });

  if (clusterSkip) it('the rendered objects pass a server-side dry run', { skip: clusterSkip }, () => undefined);
  else describe('against the local cluster (real kube-apiserver)', () => {
    let cluster: TestCluster;
    let stack: TestStack | undefined;

    before(async () => {
      cluster = await startTestCluster({ gpuNodes: 1, gpusPerNode: 1, podRunner: true });
      const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
      for (const name of [RELEASE_NS, 'gauntlet-jobs']) await core.createNamespace({ body: { metadata: { name } } });
    });
    after(async () => {
      await stack?.stop();
      await cluster?.stop();
    });

    it('accepts every rendered object of both value sets (dry run, strict field validation)', async () => {
      for (const docs of [defaults, full]) {
        for (const obj of docs) {
          const answer = await serverDryRun(cluster.kubeConfig, obj);
          assert.equal(answer.status, 201, `${obj.kind} ${obj.metadata?.name}: ${answer.body}`);
        }
      }
    });

    it('the dry run is not vacuous: a misspelt field is refused by the API server', async () => {
      const deployment = structuredClone(one<V1Deployment>(defaults, 'Deployment'));
      const container = deployment.spec!.template.spec!.containers[0]! as unknown as Record<string, unknown>;
      container.livenessprobe = container.livenessProbe; // wrong case, as a template typo would write it
      const answer = await serverDryRun(cluster.kubeConfig, deployment);
      assert.equal(answer.status, 400, answer.body);
      const { message } = z.object({ message: z.string() }).parse(JSON.parse(answer.body));
      assert.match(message, /strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.livenessprobe"/);
    });

    it('`helm install` runs the worker pod against a real Temporal; /readyz says ready; `helm uninstall` stops it gracefully', async () => {
      stack = await startTestStack();
      const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespacedSecret({
        namespace: RELEASE_NS,
        body: {
          metadata: { name: 'gauntlet-storage' },
          stringData: { GAUNTLET_STORAGE_ACCESS_KEY: stack.storage.accessKey, GAUNTLET_STORAGE_SECRET_KEY: stack.storage.secretKey },
        },
      });
      const [healthPort, metricsPort] = (await freePorts(2)) as [number, number];
      const values = join(scratch, 'local-values.yaml');
      // The pod runner starts the container's command on this machine: the worker from this checkout, on loopback.
      writeFileSync(
        values,
        stringify({
          command: [process.execPath, join(repoRoot, 'dist', 'worker', 'main.js')],
          podAnnotations: { [RUN_LOCALLY_ANNOTATION]: 'true' },
          temporal: { address: stack.temporalAddress, namespace: stack.namespace, taskQueue: stack.taskQueue, uiUrl: stack.uiUrl },
          storage: { endpoint: stack.storage.endpoint, bucket: stack.bucket },
          // No in-cluster ServiceAccount token on this machine: the local executor only.
          kubernetesExecutor: { enabled: false },
          worker: { healthPort, stateDir: join(scratch, 'worker-state') },
          metrics: { port: metricsPort },
        }),
      );
      const install = await helm.run(['install', 'gw', CHART, '--namespace', RELEASE_NS, '--kubeconfig', cluster.kubeconfig, '--values', values]);
      assert.equal(install.code, 0, install.stderr);
      assert.match(install.stdout, /STATUS: deployed/);
      assert.match(install.stdout, /rollout status deployment\/gw-gauntlet/); // NOTES.txt

      const podOf = async (): Promise<V1Pod | undefined> =>
        (await core.listNamespacedPod({ namespace: RELEASE_NS, labelSelector: 'app.kubernetes.io/instance=gw' })).items[0];
      // Until ready: the worker bundles its workflows before it polls, so wait for the state, not for a time (the
      // cap only keeps a broken install from hanging the suite).
      const cap = Date.now() + 300_000;
      while ((await httpStatus(`http://127.0.0.1:${healthPort}/readyz`)) !== 200) {
        const pod = await podOf();
        const waiting = pod?.status?.containerStatuses?.[0]?.state?.waiting;
        assert.ok(!waiting || waiting.reason === 'ContainerCreating', `worker pod waits: ${waiting?.reason} ${waiting?.message ?? ''}`);
        assert.ok(Date.now() < cap, `worker not ready; pod ${pod?.status?.phase}`);
        await sleep(500);
      }
      assert.equal(await httpStatus(`http://127.0.0.1:${healthPort}/healthz`), 200);
      // The chart's metrics port: the in-cluster worker answers a Prometheus scrape with Gauntlet's and the SDK's metrics.
      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(scrape.status, 200);
      const exposition = await scrape.text();
      assert.match(exposition, /^# TYPE gauntlet_jobs_running gauge$/m);
      assert.match(exposition, /^temporal_\w+/m);
      const running = await podOf();
      assert.equal(running?.status?.phase, 'Running');
      assert.ok(running?.status?.containerStatuses?.[0]?.state?.running);

      const uninstall = await helm.run(['uninstall', 'gw', '--namespace', RELEASE_NS, '--kubeconfig', cluster.kubeconfig, '--wait', '--timeout', '5m']);
      assert.equal(uninstall.code, 0, uninstall.stderr);
      // SIGTERM from the pod's deletion: the worker shuts down on its own, well inside the grace period.
      const gone = Date.now() + 300_000;
      while ((await podOf()) !== undefined) {
        assert.ok(Date.now() < gone, 'worker pod not removed');
        await sleep(500);
      }
      assert.equal(await httpStatus(`http://127.0.0.1:${healthPort}/healthz`), 0);
      const logs = readLogs(cluster.stateDir);
      assert.match(logs, /gauntlet worker started/);
      assert.match(logs, /gauntlet worker stopped/);
    });
  });
});

/** What the worker container wrote, from the pod runner's CRI log files (`<pods>/<ns>_<pod>_<uid>/<container>/<n>.log`). */
function readLogs(stateDir: string): string {
  const dir = clusterPaths(stateDir).podLogsDir;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.startsWith(`${RELEASE_NS}_gw-gauntlet-`) && path.endsWith('.log'))
    .map((path) => readFileSync(join(dir, path), 'utf8'))
    .join('\n');
}
