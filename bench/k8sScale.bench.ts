/**
 * The Kubernetes executor at scale on the local cluster (real kube-apiserver, Job controller and scheduler; KWOK
 * plays the kubelets): --jobs one-GPU Jobs, each Running for --duration in KWOK, on --nodes fake nodes × 4 GPUs,
 * all submitted at once through one KubernetesExecutor and one JobWatcher in this process, as one worker would
 * (default pollMs, fake Temporal hooks). Printed, never asserted.
 *
 * Times are this machine's clock in ms. A watch in a worker thread (support/k8sWatchRecorder.ts) notes when each Job
 * and pod was first seen in each state; it has its own event loop, so the executor's load does not delay its stamps.
 *   dispatch rate         jobs / (the run() calls → the last Job seen): Job creations per second
 *   makespan              the run() calls → the last run() resolved; ideal = jobs × duration / GPUs
 *   launch latency        jobs that found a free GPU (pod among its node's first 4 bindings, never Unschedulable):
 *                         Job seen → pod Running; split Job → pod created (Job controller) → bound (scheduler) →
 *                         Running (KWOK's simulated container start, 0.5–1.8 s by stages.yaml: not orchestration)
 *   GPU hand-over         pods that took a GPU another pod freed (per node, each binding after the first 4 takes the
 *                         earliest unpaired release there): that pod Succeeded → this pod bound (scheduler) → Running
 *   completion detection  pod Succeeded → run() resolved; split → Job succeeded (SuccessCriteriaMet or Complete, as
 *                         classify.ts reads it; Job controller; both seen by the recorder), and that condition seen by
 *                         the executor's own informer (main thread) → run() resolved (executor)
 *   overhead/job          median launch latency + median completion detection (and the same without KWOK's start)
 *   GPU idle, waiting     over 200 ms samples where ≥1 submitted job had no pod bound to a node yet (no Job, no pod,
 *                         or Pending): mean (GPUs − pods Running)/GPUs; scheduler's view: (GPUs − pods bound, not done)/GPUs;
 *                         again from the first pod Running on (without the submission ramp)
 *   API requests/job      kube-apiserver's apiserver_request_total (resource requests), after − before, all clients,
 *                         minus the recorder's watch requests, / jobs; by verb and by resource. WATCHes count when
 *                         they end, so the executor's and recorder's watches are closed before the second scrape.
 *                         By client: the executor (counted here on its KubeConfig), kube-controller-manager,
 *                         kube-scheduler and the API server's loopback client (their rest_client_requests_total),
 *                         rest = KWOK (it has no such counter)
 *   store requests/job    the executor's exists/getBytes calls on MinIO (it reads events.jsonl on every wake)
 *   executor loop/job     heartbeats per job = iterations of the executor's loop
 *   API connections/call  TCP connections the executor opened to the API server per API call
 *   RSS                   this process (executor, informers, recorder thread): before submitting (informers synced) and peak
 *   informer caches       objects and their JSON size in the watcher's Job and Pod caches at the end
 *   CPU                   CPU seconds of each control-plane process, MinIO and this process, submission → last resolved
 *
 *   node dist/bench/k8sScale.bench.js [--jobs 500] [--duration 5s] [--nodes 16]
 *   GAUNTLET_KEEP_TEST_STATE=1 keeps the cluster's state folder (component logs) and prints where.
 */
import { CoreV1Api, KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import diagnostics_channel from 'node:diagnostics_channel';
import { Worker } from 'node:worker_threads';
import { KubernetesExecutor } from '../activities/executor/kubernetes/executor.js';
import { JobWatcher } from '../activities/executor/kubernetes/jobWatcher.js';
import { MANAGED_SELECTOR } from '../activities/executor/kubernetes/manifest.js';
import type { ExecutionHooks, ExecutionOutcome, ExecutionRequest } from '../activities/executor/types.js';
import { ArtifactStore } from '../activities/store.js';
import { durationMs } from '../core/spec/duration.js';
import { Job } from '../core/spec/job.js';
import { KubernetesSpec } from '../core/spec/kubernetes.js';
import { TrainerSpec } from '../core/spec/pipeline.js';
import { startTestCluster, type TestCluster } from '../deploy/dev/cluster/testCluster.js';
import { statePaths } from '../deploy/dev/paths.js';
import { readPidFile } from '../deploy/dev/process.js';
import { startTestStack } from '../deploy/dev/testStack.js';
import { createMinioClient } from '../worker/sideEffects.js';
import { controlPlaneCpu, diff, metricEndpoints, processCpu, scrape, type Metric } from './support/clusterMetrics.js';
import type { PodTimes, RecorderInput, RecorderResult } from './support/k8sWatchRecorder.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const JOBS = Number(arg('--jobs', '500'));
const DURATION = arg('--duration', '5s');
const NODES = Number(arg('--nodes', '16'));
const GPUS_PER_NODE = 4;
const GPUS = NODES * GPUS_PER_NODE;
const NAMESPACE = 'bench';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** `VERB resource[/subresource]` in the API server's words (GET of a collection is LIST). */
function requestKey(method: string, url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.get('watch') === 'true') return 'WATCH';
  const path = parsed.pathname.split('/').filter(Boolean);
  const ns = path.indexOf('namespaces');
  const [resource = '?', name, sub] = ns >= 0 && path.length > ns + 2 ? path.slice(ns + 2) : path.slice(-1);
  return `${method === 'GET' ? (name ? 'GET' : 'LIST') : method} ${resource}${sub ? `/${sub}` : ''}`;
}

/** The executor's and watcher's KubeConfig: counts every API call and watch (client-node's Watch authenticates here too). */
class CountingKubeConfig extends KubeConfig {
  readonly requests = new Map<string, number>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const key = requestKey(context.getHttpMethod(), context.getUrl());
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    await super.applySecurityAuthentication(context);
  }
}

/**
 * TCP+TLS connections this thread opens to `server` from here on through undici (client-node's one-off and the API
 * clients' shared Agents alike, and the informers' watches); the metric scrapes use node:https, not counted.
 */
function countConnections(server: string): { count: number } {
  const { hostname, port } = new URL(server);
  const counter = { count: 0 };
  const channel = diagnostics_channel.channel('undici:client:connected');
  channel.subscribe((message) => {
    const params = (message as { connectParams?: { hostname?: string; port?: string | number } }).connectParams;
    if (params?.hostname === hostname && String(params.port) === port) counter.count += 1;
  });
  return counter;
}

/** The executor's reads of events.jsonl on MinIO, counted. */
class CountingStore extends ArtifactStore {
  calls = 0;
  override exists(uri: string): Promise<boolean> {
    this.calls += 1;
    return super.exists(uri);
  }
  override getBytes(uri: string): Promise<Buffer> {
    this.calls += 1;
    return super.getBytes(uri);
  }
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const quantile = (values: number[], q: number) => {
  const s = sorted(values);
  return s.length ? (s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))] ?? NaN) : NaN;
};
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const p50p90 = (values: number[]) => `${sec(quantile(values, 0.5))} / ${sec(quantile(values, 0.9))}`;
const line = (name: string, value: string) => process.stdout.write(`${name.padEnd(38)} ${value}\n`);
const perJob = (count: number) => (count / JOBS).toFixed(2);
const top = (counts: Map<string, number>, n: number) =>
  [...counts].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${perJob(v)}`).join(', ');
const sum = (counts: Iterable<number>) => [...counts].reduce((a, b) => a + b, 0);

process.stderr.write(`${JOBS} jobs × ${DURATION} on ${NODES} nodes × ${GPUS_PER_NODE} GPUs; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)\n`);
const stack = await startTestStack({ worker: false });
let cluster: TestCluster | undefined;
let watcher: JobWatcher | undefined;
let recorder: Worker | undefined;
let rssTimer: NodeJS.Timeout | undefined;
try {
  cluster = await startTestCluster({ gpuNodes: NODES, gpusPerNode: GPUS_PER_NODE });
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  await core.createNamespacedSecret({
    namespace: NAMESPACE,
    body: {
      metadata: { name: 'gauntlet-storage' },
      stringData: { GAUNTLET_STORAGE_ENDPOINT: stack.storage.endpoint, GAUNTLET_STORAGE_ACCESS_KEY: stack.storage.accessKey, GAUNTLET_STORAGE_SECRET_KEY: stack.storage.secretKey },
    },
  });

  const kc = new CountingKubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const connections = countConnections(kc.getCurrentCluster()!.server);
  const store = new CountingStore(createMinioClient(stack.config), stack.bucket);
  watcher = new JobWatcher(kc, { log: (message) => process.stderr.write(`${message}\n`) });
  const executor = new KubernetesExecutor({ kubeConfig: kc, watcher, store });
  // A worker that has run a job before has its informers synced: start them before the clock.
  const watch = await watcher.forNamespace(NAMESPACE);
  // When the executor's informer (main thread) saw each Job succeed: the start of the executor's own share.
  const doneSeen = new Map<string, number>();
  watch.jobs.on('update', (job: V1Job) => {
    const name = job.metadata?.name ?? '';
    if (!doneSeen.has(name) && job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'SuccessCriteriaMet') && c.status === 'True')) doneSeen.set(name, Date.now());
  });

  const input: RecorderInput = { kubeconfig: cluster.kubeconfig, namespace: NAMESPACE, labelSelector: MANAGED_SELECTOR, jobs: JOBS };
  recorder = new Worker(new URL('./support/k8sWatchRecorder.js', import.meta.url), { workerData: { recorder: input } });
  const rec = recorder;
  await new Promise<void>((resolve, reject) => {
    rec.once('message', () => resolve());
    rec.once('error', reject);
  });

  const spec = KubernetesSpec.parse({ namespace: NAMESPACE, image: 'gauntlet-trainer:dev', gpus: 1, podAnnotations: { 'gauntlet.dev/sim-duration': DURATION } });
  const requests: ExecutionRequest[] = Array.from({ length: JOBS }, (_, i) => ({
    job: Job.parse({
      contract: 'gauntlet.job/v1',
      jobId: `scale-${i}`,
      mode: 'train',
      seed: 0,
      data: { uri: `s3://${stack.bucket}/none.csv`, sha256: 'a'.repeat(64), splitUri: `s3://${stack.bucket}/none.json`, numClasses: 2 },
      output: { prefix: `s3://${stack.bucket}/k8s-scale/scale-${i}/` },
    }),
    trainer: TrainerSpec.parse({}),
    executor: 'kubernetes',
    kubernetes: spec,
    identity: { pipeline: 'k8s-scale', run: 'k8s-scale', stage: 'train' },
    deadlineSeconds: 3600,
  }));
  let heartbeats = 0;
  const hooks = (): ExecutionHooks => ({
    onEvent: () => undefined,
    heartbeat: () => void (heartbeats += 1),
    signal: new AbortController().signal,
    isWorkerShutdown: () => false,
    previous: null,
    resumeFrom: (job) => job,
  });

  const endpoints = metricEndpoints(cluster.stateDir);
  const SCRAPED = /^(apiserver_request_total|rest_client_requests_total|scheduler_schedule_attempts_total|workqueue_(queue|work)_duration_seconds_(sum|count))$/;
  const scrapeAll = async () => {
    const out = new Map<string, Metric[]>();
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) out.set(name, await scrape(endpoints.get(name)!, SCRAPED));
    return out;
  };
  const minioPid = readPidFile(statePaths(stack.stateDir).pidFile('minio'))?.pid;
  const executorBefore = new Map(kc.requests);
  const before = await scrapeAll();
  const cpuBefore = controlPlaneCpu(cluster.stateDir);
  const minioBefore = minioPid ? (processCpu(minioPid) ?? 0) : 0;
  const selfBefore = process.cpuUsage();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  recorder.postMessage('go');
  const t0 = Date.now();
  const resolvedAt = new Map<string, number>();
  const outcomes: ExecutionOutcome[] = await Promise.all(
    requests.map((request) =>
      executor.run(request, hooks()).then((outcome) => {
        resolvedAt.set(request.job.jobId, Date.now());
        return outcome;
      }),
    ),
  );
  const tEnd = Date.now();
  loopDelay.disable();
  clearInterval(rssTimer);
  const selfCpu = process.cpuUsage(selfBefore);
  const cpuAfter = controlPlaneCpu(cluster.stateDir);
  const minioCpu = (minioPid ? (processCpu(minioPid) ?? 0) : 0) - minioBefore;
  const cache = (objects: readonly (V1Job | V1Pod)[]) => `${objects.length} (${(objects.reduce((n, o) => n + JSON.stringify(o).length, 0) / 2 ** 20).toFixed(1)} MiB JSON)`;
  const jobCache = cache(watch.jobs.list(NAMESPACE));
  const podCache = cache(watch.pods.list(NAMESPACE));

  // Close every watch, so the API server counts them, before the second scrape.
  await watcher.stop();
  const result = await new Promise<RecorderResult>((resolve) => {
    rec.once('message', (message: RecorderResult) => resolve(message));
    rec.postMessage('stop');
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await scrapeAll();

  // ---- figures ----
  const jobs = new Map(result.jobs.map((job) => [job.name, job]));
  const podOf = new Map<string, PodTimes>();
  for (const pod of result.pods.sort((a, b) => a.created - b.created)) if (!podOf.has(pod.job)) podOf.set(pod.job, pod);

  // Which bindings used a node's initial GPUs, and which took a GPU a finished pod released.
  const firstOnNode = new Set<PodTimes>();
  const handOver: { scheduler: number; running: number }[] = [];
  const byNode = new Map<string, PodTimes[]>();
  for (const pod of result.pods) if (pod.node && pod.bound) byNode.set(pod.node, [...(byNode.get(pod.node) ?? []), pod]);
  for (const pods of byNode.values()) {
    const bindings = [...pods].sort((a, b) => a.bound! - b.bound!);
    const releases = pods.filter((pod) => pod.succeeded ?? pod.failed).map((pod) => (pod.succeeded ?? pod.failed)!).sort((a, b) => a - b);
    bindings.forEach((pod, i) => {
      if (i < GPUS_PER_NODE) firstOnNode.add(pod);
      else {
        const release = releases[i - GPUS_PER_NODE];
        if (release !== undefined && pod.running) handOver.push({ scheduler: pod.bound! - release, running: pod.running - release });
      }
    });
  }

  const submit: number[] = [];
  const launch: number[] = [];
  const launchController: number[] = [];
  const launchScheduler: number[] = [];
  const launchKwok: number[] = [];
  const detect: number[] = [];
  const detectController: number[] = [];
  const detectExecutor: number[] = [];
  for (const request of requests) {
    const name = request.job.jobId;
    const job = jobs.get(name);
    const pod = podOf.get(name);
    const resolved = resolvedAt.get(name);
    if (job) submit.push(job.added - t0);
    if (job && pod?.bound && pod.running && firstOnNode.has(pod) && !pod.waited) {
      launch.push(pod.running - job.added);
      launchController.push(pod.created - job.added);
      launchScheduler.push(pod.bound - pod.created);
      launchKwok.push(pod.running - pod.bound);
    }
    if (pod?.succeeded && resolved) {
      detect.push(resolved - pod.succeeded);
      if (job?.done) detectController.push(job.done - pod.succeeded);
      const seen = doneSeen.get(name);
      if (seen) detectExecutor.push(resolved - seen);
    }
  }
  const firstCreated = Math.min(...result.jobs.map((job) => job.added));
  const lastCreated = Math.max(...result.jobs.map((job) => job.added));
  const firstRunning = Math.min(...result.pods.map((pod) => pod.running ?? Infinity));
  const makespan = tEnd - t0;
  const ideal = (JOBS * durationMs(DURATION)) / GPUS;
  const waitingSamples = result.samples.filter((sample) => sample.waiting > 0);
  const steadySamples = waitingSamples.filter((sample) => sample.at >= firstRunning);
  const idle = (samples: typeof waitingSamples, busy: (s: (typeof waitingSamples)[number]) => number) => `${(100 * mean(samples.map((s) => (GPUS - busy(s)) / GPUS))).toFixed(1)}%`;

  // Server-side requests: resource requests only (scrapes and health checks are non-resource).
  const apiKey = (m: Metric) => (m.name === 'apiserver_request_total' && m.labels.resource ? `${m.labels.verb} ${m.labels.resource}${m.labels.subresource ? `/${m.labels.subresource}` : ''}` : null);
  const server = diff(before.get('kube-apiserver')!, after.get('kube-apiserver')!, apiKey);
  const serverTotal = sum(server.values()) - result.watchRequests;
  const byVerb = new Map<string, number>();
  for (const [key, value] of server) byVerb.set(key.split(' ')[0]!, (byVerb.get(key.split(' ')[0]!) ?? 0) + value);
  byVerb.set('WATCH', (byVerb.get('WATCH') ?? 0) - result.watchRequests);
  const clientTotal = (component: string) => sum(diff(before.get(component)!, after.get(component)!, (m) => (m.name === 'rest_client_requests_total' ? 'all' : null)).values());
  const executorRequests = new Map([...kc.requests].map(([key, value]) => [key, value - (executorBefore.get(key) ?? 0)]));
  const executorTotal = sum(executorRequests.values());
  const clients = { controller: clientTotal('kube-controller-manager'), scheduler: clientTotal('kube-scheduler'), loopback: clientTotal('kube-apiserver') };
  const attempts = diff(before.get('kube-scheduler')!, after.get('kube-scheduler')!, (m) => (m.name === 'scheduler_schedule_attempts_total' ? m.labels.result ?? '?' : null));
  const jobQueue = diff(before.get('kube-controller-manager')!, after.get('kube-controller-manager')!, (m) =>
    m.labels.name === 'job' && m.name.startsWith('workqueue_') ? m.name.replace(/^workqueue_|_seconds/g, '') : null,
  );
  const queueMean = (kind: 'queue' | 'work') => ((jobQueue.get(`${kind}_duration_sum`) ?? 0) / (jobQueue.get(`${kind}_duration_count`) || 1)) * 1000;
  const cpuLine = [...cpuAfter]
    .map(([name, seconds]) => [name, seconds - (cpuBefore.get(name) ?? 0)] as const)
    .sort((a, b) => b[1] - a[1])
    .map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`)
    .join(', ');
  const failed = outcomes.filter((outcome) => outcome.exitCode !== 0 || outcome.failure);

  line('jobs / GPUs / sim duration', `${JOBS} / ${GPUS} (${NODES} nodes × ${GPUS_PER_NODE}) / ${DURATION}`);
  line('jobs not succeeded', failed.length ? `${failed.length}: ${[...new Set(failed.map((o) => o.failure?.reason ?? `exit ${o.exitCode}`))].join(', ')}` : '0');
  line('dispatch rate (Job creations/s)', `${(JOBS / ((lastCreated - t0) / 1000)).toFixed(1)} (all ${JOBS} Jobs created in ${sec(lastCreated - t0)}; first → last: ${sec(lastCreated - firstCreated)})`);
  line('run() → Job seen (p50 / p90)', `${p50p90(submit)} (first Job after ${sec(firstCreated - t0)}, first pod Running after ${sec(firstRunning - t0)})`);
  line('makespan / ideal', `${sec(makespan)} / ${sec(ideal)} (${(makespan / ideal).toFixed(2)}×)`);
  line('launch latency, free GPU (p50 / p90)', `${p50p90(launch)} (${launch.length} jobs)`);
  line('  Job → pod created (Job controller)', p50p90(launchController));
  line('  pod created → bound (scheduler)', p50p90(launchScheduler));
  line('  bound → Running (KWOK start, sim.)', p50p90(launchKwok));
  line('GPU hand-over: freed → bound (p50/p90)', `${p50p90(handOver.map((h) => h.scheduler))} (${handOver.length} pods)`);
  line('GPU hand-over: freed → Running', p50p90(handOver.map((h) => h.running)));
  line('completion detection (p50 / p90)', `${p50p90(detect)} (${detect.length} jobs)`);
  line('  pod Succeeded → Job succeeded (JC)', p50p90(detectController));
  line('  Job succeeded (informer) → resolved', p50p90(detectExecutor));
  line('overhead/job (median launch + detect)', `${sec(quantile(launch, 0.5) + quantile(detect, 0.5))} (without KWOK's start: ${sec(quantile(launch, 0.5) - quantile(launchKwok, 0.5) + quantile(detect, 0.5))})`);
  line('GPU idle while jobs waited', `${idle(waitingSamples, (s) => s.running)} (not bound: ${idle(waitingSamples, (s) => s.held)}) over ${sec(waitingSamples.length * 200)} of samples`);
  line('  … from the first pod Running on', `${idle(steadySamples, (s) => s.running)} (not bound: ${idle(steadySamples, (s) => s.held)}) over ${sec(steadySamples.length * 200)}`);
  line('API requests/job (all clients)', `${perJob(serverTotal)} — ${top(byVerb, 8)}`);
  line('  by resource', top(server, 8));
  line('  by client', `executor ${perJob(executorTotal)}, controller-manager ${perJob(clients.controller)}, scheduler ${perJob(clients.scheduler)}, apiserver loopback ${perJob(clients.loopback)}, rest (KWOK) ${perJob(serverTotal - executorTotal - clients.controller - clients.scheduler - clients.loopback)}`);
  line('  executor requests/job', top(executorRequests, 8));
  line('  executor connections/API call', `${(connections.count / Math.max(1, executorTotal)).toFixed(2)} (${connections.count} TCP+TLS connections)`);
  line('scheduler attempts/job', top(attempts, 4));
  line('Job controller queue wait / sync (mean)', `${queueMean('queue').toFixed(0)} ms / ${queueMean('work').toFixed(0)} ms (${jobQueue.get('queue_duration_count') ?? 0} syncs, ${perJob(jobQueue.get('queue_duration_count') ?? 0)}/job)`);
  line('store requests/job (MinIO)', perJob(store.calls));
  line('executor loop iterations/job', perJob(heartbeats));
  line('event-loop delay p99 / max', `${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms / ${(loopDelay.max / 1e6).toFixed(0)} ms`);
  line('RSS before / peak', `${(rssBefore / 2 ** 20).toFixed(0)} MiB / ${(rssPeak / 2 ** 20).toFixed(0)} MiB`);
  line('informer caches: Jobs / pods', `${jobCache} / ${podCache}`);
  line('CPU s during the run', `${cpuLine}, minio ${minioCpu.toFixed(1)}, bench ${((selfCpu.user + selfCpu.system) / 1e6).toFixed(1)} (${cpus().length} cores × ${sec(makespan)})`);
  line('load average after', loadavg().map((l) => l.toFixed(2)).join(' '));
  if (process.env.GAUNTLET_KEEP_TEST_STATE === '1') line('cluster state (component logs)', cluster.stateDir);
} finally {
  clearInterval(rssTimer);
  await watcher?.stop();
  await recorder?.terminate();
  await cluster?.stop();
  await stack.stop();
}
