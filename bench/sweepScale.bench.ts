/**
 * A sweep at scale on the simulated cluster (issue 5), printed, never asserted: --trials trials of a random sweep
 * (earlyStopping none) with gpuBudget = all GPUs, through the real CLI, Temporal, worker (GAUNTLET_KUBECONFIG) and the
 * local cluster (real kube-apiserver, Job controller and scheduler; --nodes KWOK nodes × 4 GPUs; the pod runner as its
 * own process runs every trial pod). Each trial pod runs bench/support/fakeTrainer.sh: POSIX sh + curl, a random run
 * time seeded from the job id (--min-ms … --max-ms), per-epoch metric events, events.jsonl, a checkpoint and
 * result.json (job contract v1). Gates are off and max LR is fixed, so the pipeline is ingest → sweep → evaluate.
 *
 * Why sh + curl and not Python + boto3: `import boto3` + a client costs ~0.5 CPU-s and ~50 MB RSS per process on this
 * machine; at 64 concurrent 5 s trials (~13 trials/s) that alone is ~6 cores. The sh fake costs ~0.06 CPU-s with 2
 * epochs, +~0.025 CPU-s per further epoch (two curl PUTs; printed below as "fake trainer CPU per trial", from the pod
 * runner's reaped children).
 *
 * Times are this machine's clock in ms; trial start/finish are the sweep workflow's clock (the workflow task's time),
 * activity times come from the sweep's histories. Watches (informers in this process) note when each Job and pod was
 * first seen in each state, and every --sample-ms:
 *   GPU idle fraction   (GPUs − GPUs of Running pods) / GPUs, mean over the samples in the "busy window": from the
 *                       sweep's start until the last trial's pod appeared, plus any later sample with a Pending trial pod
 *                       (when idle GPUs could have been used). Also per sweep run (continue-as-new), with each run's
 *                       drain (its last trial launch → its continue-as-new) and the idle GPU-seconds in it, and the
 *                       scheduler's view (pods bound to a node and not finished, rather than Running).
 *   overhead/trial      trial wall time in the leaderboard (startedAt → finishedAt) − the fake trainer's own
 *                       (result.json startedAt → finishedAt), split: trial start → runJob scheduled (workflow task) →
 *                       started (task queue) → Job seen (executor: GET, POST) → pod seen (Job controller) → bound
 *                       (scheduler) → trainer started (pod runner: the simulated kubelet, spawn) … trainer finished →
 *                       pod Succeeded (pod runner) → Job complete (Job controller) → runJob completed (executor wake,
 *                       result read) → trial finished (workflow task)
 *   worker RSS          /proc/<pid>/status VmRSS of the worker process: idle (before the run) and peak (every sample)
 *   histories           every run of the sweep workflow id (continue-as-new chain): history length and size; what the
 *                       events are; the bytes of the trial table inputs; the pipeline workflow's history
 *   CPU                 CPU seconds of each process over the run (utime+stime; the pod runner's and the worker's reaped
 *                       children separately), and the machine's busy CPU from /proc/stat ("rest" = anything else)
 *
 *   node dist/bench/sweepScale.bench.js [--trials 1000] [--nodes 16] [--min-ms 2000] [--max-ms 8000] [--epochs 2]
 *                                       [--sample-ms 250]
 *   GAUNTLET_KEEP_TEST_STATE=1 keeps the stack's and the cluster's state folders (logs) and prints where.
 */
import { BatchV1Api, CoreV1Api, makeInformer, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LABEL } from '../activities/executor/kubernetes/manifest.js';
import { ArtifactStore } from '../activities/store.js';
import { JobResult } from '../core/spec/job.js';
import { clusterDown, clusterUp, killClusterProcessesSync } from '../deploy/dev/cluster/cluster.js';
import { loadKubeConfig } from '../deploy/dev/cluster/kube.js';
import { clusterPaths } from '../deploy/dev/cluster/paths.js';
import { RUN_LOCALLY_ANNOTATION } from '../deploy/dev/cluster/podRunner.js';
import { statePaths } from '../deploy/dev/paths.js';
import { readPidFile } from '../deploy/dev/process.js';
import { startTestStack } from '../deploy/dev/testStack.js';
import { detectPython } from '../deploy/dev/worker.js';
import { runCli } from '../test/support/cli.js';
import { repoRoot } from '../test/support/paths.js';
import { startWorkerProcess } from '../test/support/workerProcess.js';
import { leaderboardQuery, sweepWorkflowId, type TrialRecord } from '../contracts/sweep.js';
import { readTrialTable } from '../activities/sweepTable.js';
import { createMinioClient } from '../worker/sideEffects.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value)) throw new Error(`${name} needs a number`);
  return value;
};
const TRIALS = arg('--trials', 1000);
const NODES = arg('--nodes', 16);
const GPUS_PER_NODE = 4;
const GPUS = NODES * GPUS_PER_NODE;
const MIN_MS = arg('--min-ms', 2000);
const MAX_MS = arg('--max-ms', 8000);
const EPOCHS = arg('--epochs', 2);
const SAMPLE_MS = arg('--sample-ms', 250);
const NAMESPACE = 'bench-sweep';
const PIPELINE = 'sweep-scale';
const keep = process.env.GAUNTLET_KEEP_TEST_STATE === '1';

const pipelineYaml = () => `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${PIPELINE}
executor: kubernetes
data: { source: "sklearn:digits" }
trainer: { timeout: 30m, heartbeatTimeout: 60s, retry: { maximumAttempts: 3, initialInterval: 1s } }
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
train: { epochs: ${EPOCHS}, batchSize: 64, schedule: { kind: one_cycle, maxLr: 0.1 } }
kubernetes:
  namespace: ${NAMESPACE}
  image: gauntlet-fake-trainer:dev
  command: ["/bin/sh", "${join(repoRoot, 'bench', 'support', 'fakeTrainer.sh')}", "${MIN_MS}", "${MAX_MS}"]
  gpus: 1
  podAnnotations: { "${RUN_LOCALLY_ANNOTATION}": "true" }
sweep:
  space:
    hidden: { choice: [32, 64, 128, 256] }
    dropout: { uniform: [0, 0.5] }
    weightDecay: { loguniform: [1.0e-6, 1.0e-3] }
  strategy: { kind: random, seed: 0 }
  earlyStopping: none
  budget: { maxTrials: ${TRIALS}, gpuBudget: ${GPUS}, gpusPerTrial: 1, maxFailedTrials: 10 }
  objective: { metric: val_accuracy }
`;

// ---- small helpers ----

const WFT_FAILED_CAUSE: Record<number, string> = { 1: 'unhandled command', 13: 'reset sticky task queue', 14: 'worker unhandled failure', 24: 'non-deterministic', 28: 'pending signals limit' };
const TIMEOUT_TYPE: Record<number, string> = { 1: 'start-to-close', 2: 'schedule-to-start' };

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const quantile = (values: number[], q: number) => {
  const s = sorted(values);
  if (s.length === 0) return Number.NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return (s[lo] ?? 0) + ((s[Math.ceil(at)] ?? 0) - (s[lo] ?? 0)) * (at - lo);
};
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (values: number[]) =>
  `median ${sec(quantile(values, 0.5))} · p90 ${sec(quantile(values, 0.9))} · mean ${sec(mean(values))} · max ${sec(Math.max(...values))}`;
/** --json: one JSON object of named figures on stdout (issue 16), the table on stderr. */
const asJson = process.argv.includes('--json');
const line = (name: string, value: string) => (asJson ? process.stderr : process.stdout).write(`${name.padEnd(40)} ${value}\n`);
const note = (text: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

function rssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const CLK_TCK = 100; // Linux USER_HZ
/** CPU seconds of a process: utime + stime, plus its reaped children's (cutime + cstime) when asked. */
function cpuSeconds(pid: number, children: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // after ')': state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    return ((f[11] ?? 0) + (f[12] ?? 0) + (children ? (f[13] ?? 0) + (f[14] ?? 0) : 0)) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}
/** Busy and total CPU seconds of the whole machine (all cores). */
function machineCpu(): { busy: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / CLK_TCK, total: (busy + idle + iowait) / CLK_TCK };
}

interface PodSeen {
  name: string;
  stage: string;
  job: string;
  seen: number;
  bound: number | null;
  running: number | null;
  done: number | null;
  phase: string;
  nodeName: string | null;
}

interface Sample {
  at: number;
  running: number;
  bound: number;
  pending: number;
  trialPodsSeen: number;
}

// ---- the stack, the cluster, the worker ----

const python = await detectPython();
const stack = await startTestStack({ worker: false, python });
const clusterState = mkdtempSync(join(tmpdir(), 'gauntlet-sweep-cluster-'));
const killCluster = () => killClusterProcessesSync(clusterState);
process.once('exit', killCluster);
let cleanedUp = false;
const cleanups: (() => Promise<unknown>)[] = [];
const cleanup = async () => {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const step of cleanups.reverse()) await step().catch((error: unknown) => note(`cleanup: ${String(error)}`));
  await clusterDown({ stateDir: clusterState, purge: !keep, log: () => undefined }).catch((error: unknown) => note(`cluster down: ${String(error)}`));
  if (!keep) rmSync(clusterState, { recursive: true, force: true });
  await stack.stop();
  process.off('exit', killCluster);
  if (keep) note(`kept: stack ${stack.stateDir}, cluster ${clusterState}`);
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

try {
  const up = await clusterUp({ stateDir: clusterState, gpuNodes: NODES, gpusPerNode: GPUS_PER_NODE, runPodsLocally: true, log: () => undefined });
  const runnerPid = up.podRunner?.pid ?? 0;
  const kc = loadKubeConfig(up.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
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
  const worker = await startWorkerProcess({ ...stack.env, GAUNTLET_KUBECONFIG: up.kubeconfig });
  cleanups.push(() => worker.kill('SIGTERM'));
  const workerPid = worker.child.pid ?? 0;
  // History pages of the sweep exceed grpc-js's default 4 MB receive limit (see the trial table inputs below).
  const connection = await Connection.connect({ address: stack.temporalAddress, channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, namespace: stack.namespace });
  const store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);

  // Processes whose CPU is accounted: the stack's services, the control plane (kwokctl's pid files), ours.
  const pidOf = (file: string) => readPidFile(file)?.pid ?? 0;
  const kwokPids = join(clusterPaths(clusterState).kwokClusterDir, 'pids');
  const accounted: { name: string; pid: number }[] = [
    { name: 'worker', pid: workerPid },
    { name: 'pod runner (node process)', pid: runnerPid },
    { name: 'temporal (dev server)', pid: pidOf(statePaths(stack.stateDir).pidFile('temporal')) },
    { name: 'minio', pid: pidOf(statePaths(stack.stateDir).pidFile('minio')) },
    ...readdirSync(kwokPids)
      .filter((file) => file.endsWith('.pid'))
      .map((file) => ({ name: file.slice(0, -4), pid: Number(readFileSync(join(kwokPids, file), 'utf8').trim()) })),
  ];

  // ---- the pod watch and the sampler ----
  const pods = new Map<string, PodSeen>();
  const samples: Sample[] = [];
  const informer = makeInformer(
    kc,
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    () => core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `${LABEL.pipeline}=${PIPELINE}` }),
    `${LABEL.pipeline}=${PIPELINE}`,
  );
  const onPod = (pod: V1Pod) => {
    const now = Date.now();
    const uid = pod.metadata?.uid ?? '';
    let seen = pods.get(uid);
    if (!seen) {
      seen = { name: pod.metadata?.name ?? '', stage: pod.metadata?.labels?.[LABEL.stage] ?? '', job: pod.metadata?.labels?.[LABEL.job] ?? '', seen: now, bound: null, running: null, done: null, phase: '', nodeName: null };
      pods.set(uid, seen);
    }
    seen.phase = pod.status?.phase ?? 'Pending';
    seen.nodeName = pod.spec?.nodeName ?? null;
    if (seen.nodeName && seen.bound === null) seen.bound = now;
    if (seen.phase === 'Running' && seen.running === null) seen.running = now;
    if ((seen.phase === 'Succeeded' || seen.phase === 'Failed') && seen.done === null) seen.done = now;
  };
  informer.on('add', onPod);
  informer.on('update', onPod);
  informer.on('delete', (pod) => {
    const seen = pods.get(pod.metadata?.uid ?? '');
    if (seen && seen.done === null) seen.done = Date.now();
    if (seen) seen.phase = 'Deleted';
  });
  let watching = true;
  informer.on('error', (error: unknown) => {
    if (!watching) return;
    note(`pod watch: ${String(error)}; restarting`);
    setTimeout(() => void informer.start().catch(() => undefined), 1000);
  });
  // Jobs: when each was first seen, and first seen complete (as classify.ts reads it: SuccessCriteriaMet or Complete).
  const jobsSeen = new Map<string, { seen: number; complete: number | null }>();
  const batch = kc.makeApiClient(BatchV1Api);
  const jobInformer = makeInformer(
    kc,
    `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`,
    () => batch.listNamespacedJob({ namespace: NAMESPACE, labelSelector: `${LABEL.pipeline}=${PIPELINE}` }),
    `${LABEL.pipeline}=${PIPELINE}`,
  );
  const onJob = (job: V1Job) => {
    const now = Date.now();
    const name = job.metadata?.name ?? '';
    const seen = jobsSeen.get(name) ?? { seen: now, complete: null };
    jobsSeen.set(name, seen);
    const complete = job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'SuccessCriteriaMet') && c.status === 'True');
    if (complete && seen.complete === null) seen.complete = now;
  };
  jobInformer.on('add', onJob);
  jobInformer.on('update', onJob);
  jobInformer.on('error', (error: unknown) => {
    if (!watching) return;
    note(`job watch: ${String(error)}; restarting`);
    setTimeout(() => void jobInformer.start().catch(() => undefined), 1000);
  });
  await Promise.all([informer.start(), jobInformer.start()]);
  cleanups.push(async () => {
    watching = false;
    await Promise.all([informer.stop(), jobInformer.stop()]);
  });

  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idleRss = rssMiB(workerPid);
  let peakRss = idleRss;
  const sampler = setInterval(() => {
    let running = 0;
    let bound = 0;
    let pending = 0;
    let trialPodsSeen = 0;
    for (const pod of pods.values()) {
      if (!pod.stage.startsWith('trial-')) continue;
      trialPodsSeen += 1;
      if (pod.phase === 'Running') running += 1;
      if (pod.phase === 'Pending') pending += 1;
      if (pod.nodeName && (pod.phase === 'Pending' || pod.phase === 'Running')) bound += 1;
    }
    samples.push({ at: Date.now(), running, bound, pending, trialPodsSeen });
    peakRss = Math.max(peakRss, rssMiB(workerPid));
  }, SAMPLE_MS);
  cleanups.push(async () => clearInterval(sampler));

  // ---- the run ----
  const specDir = mkdtempSync(join(tmpdir(), 'gauntlet-sweep-spec-'));
  cleanups.push(async () => rmSync(specDir, { recursive: true, force: true }));
  const specFile = join(specDir, `${PIPELINE}.yaml`);
  writeFileSync(specFile, pipelineYaml());
  const loadBefore = loadavg();
  const cpuBefore = accounted.map((p) => cpuSeconds(p.pid, false));
  const runnerChildrenBefore = cpuSeconds(runnerPid, true) - cpuSeconds(runnerPid, false);
  const workerChildrenBefore = cpuSeconds(workerPid, true) - cpuSeconds(workerPid, false);
  const machineBefore = machineCpu();
  const benchCpuBefore = process.cpuUsage();
  const started = Date.now();
  note(`${TRIALS} trials, ${GPUS} GPUs (${NODES} nodes × ${GPUS_PER_NODE}), trials ${MIN_MS}–${MAX_MS} ms over ${EPOCHS} epochs; load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const run = runCli(['run', specFile, '--json'], stack.env, 6 * 3600_000);

  const progress = setInterval(() => {
    const last = samples.at(-1);
    const done = [...pods.values()].filter((p) => p.stage.startsWith('trial-') && p.done !== null).length;
    note(
      `${((Date.now() - started) / 1000).toFixed(0)} s: trial pods ${last?.trialPodsSeen ?? 0} seen, ${done} done, ${last?.running ?? 0} Running, ` +
        `${last?.pending ?? 0} Pending · worker RSS ${rssMiB(workerPid).toFixed(0)} MiB · load ${loadavg()[0]?.toFixed(2)}`,
    );
  }, 15_000);
  cleanups.push(async () => clearInterval(progress));

  const cli = await run;
  const finished = Date.now();
  clearInterval(progress);
  clearInterval(sampler);
  const cpuAfter = accounted.map((p) => cpuSeconds(p.pid, false));
  const runnerChildrenAfter = cpuSeconds(runnerPid, true) - cpuSeconds(runnerPid, false);
  const workerChildrenAfter = cpuSeconds(workerPid, true) - cpuSeconds(workerPid, false);
  const machineAfter = machineCpu();
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const loadAfter = loadavg();
  if (cli.code !== 0) throw new Error(`gauntlet run exited ${cli.code}:\n${cli.stderr}\n${cli.stdout}`);
  const result = z.object({ runId: z.string(), status: z.string(), metrics: z.record(z.string(), z.number().nullable()) }).parse(JSON.parse(cli.stdout));

  // ---- the workflows ----
  const sweepId = sweepWorkflowId(result.runId);
  let runs: WorkflowExecutionInfo[] = [];
  for (let attempt = 0; attempt < 40; attempt++) {
    // Visibility is written after the fact: wait until every run of the chain is listed as closed.
    runs = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${sweepId}'` })) runs.push(execution);
    if (runs.length > 0 && runs.every((execution) => execution.closeTime)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  const pipelineInfo = await client.workflow.getHandle(result.runId).describe();
  const board = await client.workflow.getHandle(sweepId).query(leaderboardQuery);
  const trials: TrialRecord[] = board.tableUri ? await readTrialTable(store, board.tableUri) : board.trials;
  const sweepStart = runs[0]?.startTime.getTime() ?? started;
  const sweepEnd = runs.at(-1)?.closeTime?.getTime() ?? finished;

  // ---- what the sweep's histories hold, and how long tasks waited for the worker ----
  const eventCounts = new Map<string, number>();
  const wftQueue: number[] = [];
  const wftRun: number[] = [];
  const runJobQueue: number[] = [];
  let tableInputBytes = 0;
  let tableWrites = 0;
  let historyError = '';
  /** Per trial stage: when its runJob activity was scheduled, started and completed (server times). */
  const activities = new Map<string, { scheduled: number; started: number | null; completed: number | null }>();
  const stageOf = new Map<string, string>();
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
  for (const execution of runs) {
    let history;
    try {
      history = await client.workflow.getHandle(sweepId, execution.runId).fetchHistory();
    } catch (error) {
      historyError = `run ${execution.runId}: ${String(error)}`;
      break;
    }
    const at = new Map<string, { time: number; type?: string }>();
    for (const event of history.events ?? []) {
      const id = String(event.eventId);
      const time = ms(event.eventTime);
      const kind = Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]) ?? 'unknown';
      const name = kind.replace(/EventAttributes$/, '');
      const scheduled = event.activityTaskScheduledEventAttributes;
      const type = scheduled?.activityType?.name ?? undefined;
      // Why workflow tasks failed or timed out (temporal.api.enums.v1 WorkflowTaskFailedCause / TimeoutType).
      const cause = event.workflowTaskFailedEventAttributes?.cause;
      const timeout = event.workflowTaskTimedOutEventAttributes?.timeoutType;
      const why =
        cause !== undefined && cause !== null ? (WFT_FAILED_CAUSE[Number(cause)] ?? `cause ${cause}`)
        : timeout !== undefined && timeout !== null ? (TIMEOUT_TYPE[Number(timeout)] ?? `timeout type ${timeout}`)
        : type;
      eventCounts.set(why ? `${name} (${why})` : name, (eventCounts.get(why ? `${name} (${why})` : name) ?? 0) + 1);
      at.set(id, { time, ...(type ? { type } : {}) });
      if (type === 'runJob') {
        const data = scheduled?.input?.payloads?.[0]?.data;
        const stage = data ? z.object({ stage: z.string() }).safeParse(JSON.parse(Buffer.from(data).toString('utf8'))) : undefined;
        if (stage?.success) {
          stageOf.set(`${execution.runId}/${id}`, stage.data.stage);
          activities.set(stage.data.stage, { scheduled: time, started: null, completed: null });
        }
      }
      if (type === 'writeTrialTable') {
        tableWrites += 1;
        tableInputBytes += (scheduled?.input?.payloads ?? []).reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0);
      }
      const wftStarted = event.workflowTaskStartedEventAttributes;
      if (wftStarted) wftQueue.push(time - (at.get(String(wftStarted.scheduledEventId))?.time ?? time));
      const wftCompleted = event.workflowTaskCompletedEventAttributes;
      if (wftCompleted) wftRun.push(time - (at.get(String(wftCompleted.startedEventId))?.time ?? time));
      const actStarted = event.activityTaskStartedEventAttributes;
      const scheduledOf = actStarted ? at.get(String(actStarted.scheduledEventId)) : undefined;
      if (scheduledOf?.type === 'runJob') runJobQueue.push(time - scheduledOf.time);
      const startedStage = actStarted ? stageOf.get(`${execution.runId}/${String(actStarted.scheduledEventId)}`) : undefined;
      const startedTimes = startedStage ? activities.get(startedStage) : undefined;
      if (startedTimes) startedTimes.started = time;
      const actCompleted = event.activityTaskCompletedEventAttributes;
      const completedStage = actCompleted ? stageOf.get(`${execution.runId}/${String(actCompleted.scheduledEventId)}`) : undefined;
      const completedTimes = completedStage ? activities.get(completedStage) : undefined;
      if (completedTimes) completedTimes.completed = time;
    }
  }

  // ---- per-trial overhead ----
  const trialPods = new Map<string, PodSeen>();
  for (const pod of pods.values()) {
    const earlier = trialPods.get(pod.stage);
    if (pod.stage.startsWith('trial-') && (!earlier || pod.seen > earlier.seen)) trialPods.set(pod.stage, pod); // the last launch
  }
  const overhead: number[] = [];
  const segments = {
    toScheduled: [] as number[],
    scheduledToStarted: [] as number[],
    startedToJob: [] as number[],
    toJob: [] as number[],
    jobToPod: [] as number[],
    podToBound: [] as number[],
    boundToTrainer: [] as number[],
    trainerToPodDone: [] as number[],
    podDoneToJobDone: [] as number[],
    jobDoneToFinished: [] as number[],
    jobDoneToCompleted: [] as number[],
    completedToFinished: [] as number[],
  };
  const trainerMs: number[] = [];
  const statuses = new Map<string, number>();
  let relaunched = 0;
  for (const trial of trials) {
    statuses.set(trial.status, (statuses.get(trial.status) ?? 0) + 1);
    if (trial.launches > 1) relaunched += 1;
    if (trial.status !== 'completed' || !trial.finishedAt) continue;
    const jobResult = await store.getJson(`s3://${stack.bucket}/runs/${sweepId}/trial-${trial.trial}/result.json`, JobResult);
    const trainerStart = Date.parse(jobResult.startedAt);
    const trainerEnd = Date.parse(jobResult.finishedAt);
    const trialStart = Date.parse(trial.startedAt);
    const trialEnd = Date.parse(trial.finishedAt);
    trainerMs.push(trainerEnd - trainerStart);
    overhead.push(trialEnd - trialStart - (trainerEnd - trainerStart));
    const pod = trialPods.get(`trial-${trial.trial}`);
    const job = pod ? jobsSeen.get(pod.job) : undefined;
    if (pod && job && pod.bound !== null && pod.done !== null && job.complete !== null && trial.launches === 1) {
      segments.toJob.push(job.seen - trialStart);
      segments.jobToPod.push(pod.seen - job.seen);
      segments.podToBound.push(pod.bound - pod.seen);
      segments.boundToTrainer.push(trainerStart - pod.bound);
      segments.trainerToPodDone.push(pod.done - trainerEnd);
      segments.podDoneToJobDone.push(job.complete - pod.done);
      segments.jobDoneToFinished.push(trialEnd - job.complete);
      const activity = activities.get(`trial-${trial.trial}`);
      if (activity?.started && activity.completed) {
        segments.toScheduled.push(activity.scheduled - trialStart);
        segments.scheduledToStarted.push(activity.started - activity.scheduled);
        segments.startedToJob.push(job.seen - activity.started);
        segments.jobDoneToCompleted.push(activity.completed - job.complete);
        segments.completedToFinished.push(trialEnd - activity.completed);
      }
    }
  }

  // ---- GPU idle ----
  const lastTrialPodSeen = Math.max(...[...trialPods.values()].map((pod) => pod.seen));
  const inWindow = (s: Sample) => s.at >= sweepStart && (s.at <= lastTrialPodSeen || s.pending > 0);
  const windowSamples = samples.filter(inWindow);
  const idle = (list: Sample[], key: 'running' | 'bound') => mean(list.map((s) => (GPUS - s[key]) / GPUS));
  const sweepSamples = samples.filter((s) => s.at >= sweepStart && s.at <= sweepEnd);
  const gpuSecondsUsed = trainerMs.reduce((a, b) => a + b, 0) / 1000;

  // ---- print ----
  const ok = (value: number) => (Number.isFinite(value) ? value : 0);
  line('trials (leaderboard)', `${trials.length}: ${[...statuses].map(([status, n]) => `${n} ${status}`).join(', ')}${relaunched ? ` · ${relaunched} relaunched` : ''}`);
  line('GPUs · trial run time (fake trainer)', `${GPUS} (${NODES} nodes × ${GPUS_PER_NODE}) · ${spread(trainerMs)}`);
  line('total wall time (gauntlet run)', `${sec(finished - started)}`);
  line('sweep wall time (first run start → close)', `${sec(sweepEnd - sweepStart)} · ${(trials.length / ((sweepEnd - sweepStart) / 1000)).toFixed(2)} trials/s`);
  line('ideal sweep time (Σ trainer time / GPUs)', `${sec((gpuSecondsUsed * 1000) / GPUS)} · ${(trials.length / (gpuSecondsUsed / GPUS)).toFixed(2)} trials/s`);
  line('GPU idle, busy window (Running pods)', `${(idle(windowSamples, 'running') * 100).toFixed(1)} % over ${sec(windowSamples.length * SAMPLE_MS)} (${windowSamples.length} samples)`);
  line('GPU idle, busy window (bound pods)', `${(idle(windowSamples, 'bound') * 100).toFixed(1)} % (scheduler's view)`);
  line('GPU idle, whole sweep incl. tail', `${(idle(sweepSamples, 'running') * 100).toFixed(1)} % · GPU-seconds used by trainers ${gpuSecondsUsed.toFixed(0)} of ${((GPUS * (sweepEnd - sweepStart)) / 1000).toFixed(0)}`);
  const idleGpuSeconds = (list: Sample[]) => list.reduce((sum, s) => sum + ((GPUS - s.running) * SAMPLE_MS) / 1000, 0);
  let drainIdle = 0;
  for (const [index, execution] of runs.entries()) {
    const begin = execution.startTime.getTime();
    const end = execution.closeTime?.getTime() ?? sweepEnd;
    const own = windowSamples.filter((s) => s.at >= begin && s.at <= end);
    // Drain: from this run's last trial launch to its continue-as-new (the last run's is the sweep's natural tail).
    const lastLaunch = Math.max(begin, ...trials.map((t) => Date.parse(t.startedAt)).filter((t) => t >= begin && t <= end));
    const last = index === runs.length - 1;
    const drained = idleGpuSeconds(samples.filter((s) => s.at >= lastLaunch && s.at <= end));
    if (!last) drainIdle += drained;
    line(
      `  sweep run ${index + 1}`,
      `${sec(end - begin)} · history ${execution.historyLength} events, ${((execution.historySize ?? 0) / 1e6).toFixed(2)} MB · ` +
        `GPU idle ${own.length ? `${(idle(own, 'running') * 100).toFixed(1)} %` : 'n/a'} · ${last ? 'tail' : 'drain'} ${sec(end - lastLaunch)} (${drained.toFixed(0)} idle GPU-s)`,
    );
  }
  const windowIdle = idleGpuSeconds(windowSamples);
  line('idle GPU-s in the busy window · drains', `${windowIdle.toFixed(0)} · ${drainIdle.toFixed(0)} (${((drainIdle / windowIdle) * 100).toFixed(0)} %) in continue-as-new drains`);
  line('orchestration overhead/trial', `${spread(overhead)} · p10 ${sec(quantile(overhead, 0.1))} (${overhead.length} trials)`);
  line('  trial start → Job seen (Gauntlet)', spread(segments.toJob));
  line('    trial start → runJob scheduled', spread(segments.toScheduled));
  line('    runJob scheduled → started', spread(segments.scheduledToStarted));
  line('    runJob started → Job seen', spread(segments.startedToJob));
  line('  Job → pod seen (Job controller)', spread(segments.jobToPod));
  line('  pod → bound (scheduler)', spread(segments.podToBound));
  line('  bound → trainer started (pod runner)', spread(segments.boundToTrainer));
  line('  trainer done → pod Succeeded (pod runner)', spread(segments.trainerToPodDone));
  line('  pod Succeeded → Job complete (Job ctrl)', spread(segments.podDoneToJobDone));
  line('  Job complete → trial finished (Gauntlet)', spread(segments.jobDoneToFinished));
  line('    Job complete → runJob completed', spread(segments.jobDoneToCompleted));
  line('    runJob completed → trial finished', spread(segments.completedToFinished));
  if (historyError) line('  (history not read)', historyError);
  line('  workflow task scheduled → started', `${spread(wftQueue)} (${wftQueue.length} tasks)`);
  line('  workflow task started → completed', spread(wftRun));
  line('sweep history events, all runs', [...eventCounts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${n} ${name}`).join(' · '));
  line('trial table writes · their inputs', `${tableWrites} · ${(tableInputBytes / 1e6).toFixed(1)} MB in the histories`);
  const tableBytes = Buffer.byteLength(JSON.stringify(trials));
  line('trial table (JSON) at the end', `${(tableBytes / 1024).toFixed(0)} KiB, ${(tableBytes / Math.max(1, trials.length)).toFixed(0)} B/trial, in the store in pages of 500 (written in deltas: no payload holds it)`);
  line('worker RSS idle / peak', `${idleRss.toFixed(0)} / ${peakRss.toFixed(0)} MiB`);
  const maxHistory = runs.reduce((top, r) => Math.max(top, r.historyLength), 0);
  const maxSize = runs.reduce((top, r) => Math.max(top, r.historySize ?? 0), 0);
  line('largest sweep history · runs', `${maxHistory} events, ${(maxSize / 1e6).toFixed(2)} MB · ${runs.length} run(s) (continue-as-new)`);
  line('pipeline workflow history', `${pipelineInfo.historyLength} events, ${((pipelineInfo.historySize ?? 0) / 1e6).toFixed(2)} MB`);
  const machine = machineAfter.busy - machineBefore.busy;
  const wallS = (finished - started) / 1000;
  line('CPU, machine (all processes)', `${machine.toFixed(0)} CPU-s of ${(machineAfter.total - machineBefore.total).toFixed(0)} (${((machine / wallS) * 100).toFixed(0)} % of one core on average) · load ${loadBefore[0]?.toFixed(2)} → ${loadAfter[0]?.toFixed(2)}`);
  let listed = 0;
  const rows = accounted.map((p, i) => ({ name: p.name, cpu: ok((cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0)) }));
  rows.push({ name: 'fake trainers (pod runner children)', cpu: ok(runnerChildrenAfter - runnerChildrenBefore) });
  rows.push({ name: 'worker children (ingest Python)', cpu: ok(workerChildrenAfter - workerChildrenBefore) });
  rows.push({ name: 'this bench (pod watch, sampler)', cpu: (benchCpu.user + benchCpu.system) / 1e6 });
  for (const row of rows.sort((a, b) => b.cpu - a.cpu)) {
    listed += row.cpu;
    line(`  ${row.name}`, `${row.cpu.toFixed(1)} CPU-s (${((row.cpu / wallS) * 100).toFixed(0)} % of a core)`);
  }
  line('  rest (CLI, other users of this machine)', `${(machine - listed).toFixed(1)} CPU-s`);
  line('fake trainer CPU per trial', `${((ok(runnerChildrenAfter - runnerChildrenBefore) / Math.max(1, pods.size)) * 1000).toFixed(0)} ms (${pods.size} pods)`);
  line('pipeline', `${result.status} · ${result.runId} · best val_accuracy ${board.best?.objective ?? 'n/a'}`);
  if (asJson) {
    process.stdout.write(
      `${JSON.stringify({
        bench: 'sweepScale',
        trials: trials.length,
        gpus: GPUS,
        gpuIdleFraction: idle(windowSamples, 'running'),
        gpuIdleFractionWholeSweep: idle(sweepSamples, 'running'),
        sweepWallMs: sweepEnd - sweepStart,
        overheadPerTrialMsMedian: quantile(overhead, 0.5),
        rssMiBIdle: Math.round(idleRss),
        rssMiBPeak: Math.round(peakRss),
        load: [loadBefore[0] ?? null, loadAfter[0] ?? null],
      })}\n`,
    );
  }
} finally {
  await cleanup();
}
