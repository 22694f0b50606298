/**
 * Can a 10,000-trial sweep run without hitting Temporal's limits? The real sweep workflow, the real table and
 * hand-over activities on a real dev stack (Temporal + MinIO), and a fake job activity: a trial "trains" for a
 * random 20–200 ms and signals its rung epochs, so only orchestration is measured — no processes, no cluster.
 *
 *   node dist/bench/sweepHistory.bench.js [--trials 10000] [--gpus 64] [--strategy tpe|random] [--stopping asha|median|none] [--can-events 8000]
 *
 * Prints: wall time and trials/s, the runs of the continue-as-new chain with their history events and bytes, the
 * largest single payload in any history (Temporal refuses > 2 MB), the hand-over state's size, the table in the
 * store (trials listed, pages), the leaderboard query's size, and the worker's memory.
 */
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { parseArgs } from 'node:util';
import { ArtifactStore } from '../activities/store.js';
import { createSweepTableActivities, readTrialTable } from '../activities/sweepTable.js';
import { suggestTrial } from '../activities/sweepPlanner.js';
import type { JobOutcome, JobRequest } from '../activities/types.js';
import { loadPipelineYaml } from '../core/spec/parse.js';
import { startTestStack } from '../deploy/dev/testStack.js';
import { createMinioClient } from '../worker/sideEffects.js';
import { jobProgressSignal } from '../contracts/pipeline.js';
import { leaderboardQuery, type SweepResult } from '../contracts/sweep.js';
import { workflowsPath } from '../test/support/paths.js';
import { seededRandom } from '../core/random.js';
import { lrGroupKey } from '../core/sweep/space.js';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '10000' },
    gpus: { type: 'string', default: '64' },
    strategy: { type: 'string', default: 'tpe' },
    stopping: { type: 'string', default: 'asha' },
    'can-events': { type: 'string', default: '8000' },
    json: { type: 'boolean', default: false },
  },
});
const trials = Number(args.trials);
const gpus = Number(args.gpus);
const stoppingYaml = args.stopping === 'asha' ? '{ kind: asha, gracePeriod: 1, reductionFactor: 3 }' : args.stopping === 'median' ? '{ kind: median, gracePeriod: 2, minTrials: 5 }' : '{ kind: none }';
const spec = loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: history
data: { source: "sklearn:digits" }
train: { epochs: 9, schedule: { kind: one_cycle } }
sweep:
  space: { lrFactor: { loguniform: [0.1, 3] }, hidden: { choice: [32, 64, 128, 256] }, dropout: { uniform: [0, 0.5] } }
  strategy: { kind: ${args.strategy}, seed: 1 }
  earlyStopping: ${stoppingYaml}
  budget: { maxTrials: ${trials}, gpuBudget: ${gpus} }
  continueAsNewEvents: ${Number(args['can-events'])}
`);

/** A trial's accuracy: best near lrFactor 1, wide nets, little dropout; rises over epochs. */
function accuracy(request: JobRequest, epoch: number): number {
  const lr = request.schedule?.kind === 'one_cycle' ? (request.schedule.maxLr ?? 0.1) / 0.1 : 1;
  const hidden = Number(request.hyperparameters?.hidden ?? 64);
  const dropout = Number(request.hyperparameters?.dropout ?? 0);
  const quality = 0.97 - 0.05 * Math.abs(Math.log(lr)) - 0.02 * Math.log2(256 / hidden) - 0.05 * dropout;
  return quality * (1 - 0.4 / (epoch + 1));
}

const stack = await startTestStack();
const store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
const connection = await Connection.connect({ address: stack.temporalAddress, channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
const client = new Client({ connection, namespace: stack.namespace });
const random = seededRandom(42);
let jobsStarted = 0;

async function fakeJob(request: JobRequest): Promise<JobOutcome> {
  jobsStarted += 1;
  const context = Context.current();
  const execution = context.info.workflowExecution!;
  const epochs = request.epochs ?? 9;
  const wanted = request.progress?.epochs ?? 'all';
  const perEpochMs = (20 + random() * 180) / epochs;
  const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    await context.sleep(perEpochMs);
    context.heartbeat();
    if (wanted !== 'all' && !wanted.includes(epoch)) continue;
    const metrics = { val_accuracy: accuracy(request, epoch) };
    await handle.signal(jobProgressSignal, { stage: request.stage, epoch, metrics, detail: '', completedEpoch: { epoch, metrics } }).catch(() => undefined);
  }
  const metrics = { val_accuracy: accuracy(request, epochs) };
  return {
    jobId: request.stage,
    resultUri: store.uri(`runs/x/${request.stage}/result.json`),
    result: {
      contract: 'gauntlet.job/v1', jobId: request.stage, mode: request.mode, status: 'succeeded', metrics, artifacts: {}, details: {},
      device: 'cpu', startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), trainer: { name: 'fake', version: '0' }, resumedFromEpoch: null,
    },
    launches: 1,
    adopted: false,
    trainerSeconds: 0,
    epochs: Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, metrics: { val_accuracy: accuracy(request, i + 1) } })),
  };
}

const worker = await Worker.create({
  connection: await NativeConnection.connect({ address: stack.temporalAddress }),
  namespace: stack.namespace,
  taskQueue: 'history-bench',
  workflowsPath,
  activities: { runJob: fakeJob, suggestTrial, ...createSweepTableActivities({ store }) },
  maxConcurrentActivityTaskExecutions: gpus + 16,
  maxHeartbeatThrottleInterval: '2s',
});
const rss: number[] = [];
const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
const workflowId = `history-${Date.now()}-sweep`;
const started = Date.now();
const data = { uri: 's3://gauntlet/d.csv', sha256: 'a'.repeat(64), format: 'csv' as const, labelColumn: 'label', splitUri: 's3://gauntlet/s.json', numClasses: 10, ignoreColumns: [] };
let lastReport = Date.now();
const { result, board } = await worker.runUntil(async () => {
  const handle = await client.workflow.start('sweepWorkflow', { taskQueue: 'history-bench', workflowId, args: [{ spec, data, maxLrByGroup: { [lrGroupKey({})]: 0.1 } }] });
  const progress = setInterval(() => {
    if (Date.now() - lastReport < 30_000) return;
    lastReport = Date.now();
    void handle.query(leaderboardQuery).then(
      (live) => process.stderr.write(`${((Date.now() - started) / 1000).toFixed(0)} s: ${JSON.stringify(live.counts)} · run ${live.runs}\n`),
      () => undefined,
    );
  }, 1000);
  try {
    const result = (await handle.result()) as SweepResult;
    // The query needs a worker: ask before it stops.
    return { result, board: await client.workflow.getHandle(workflowId).query(leaderboardQuery) };
  } finally {
    clearInterval(progress);
  }
});
const seconds = (Date.now() - started) / 1000;
clearInterval(sampler);

// ---- the continue-as-new chain ----
const runs: { events: number; bytes: number; largestPayload: number; largestType: string }[] = [];
let carryBytes = 0;
for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
  const history = await client.workflow.getHandle(workflowId, execution.runId).fetchHistory();
  let bytes = 0;
  let largestPayload = 0;
  let largestType = '';
  for (const event of history.events ?? []) {
    const size = JSON.stringify(event).length;
    bytes += size;
    const payloads = [
      ...(event.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ...(event.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ...(event.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
      ...(event.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []),
      ...(event.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads ?? []),
      ...(event.workflowExecutionCompletedEventAttributes?.result?.payloads ?? []),
    ];
    for (const payload of payloads) {
      const length = payload.data?.length ?? 0;
      if (length > largestPayload) {
        largestPayload = length;
        largestType = event.activityTaskScheduledEventAttributes?.activityType?.name ?? Object.keys(event).find((key) => key.endsWith('Attributes')) ?? '';
      }
    }
    const input = event.activityTaskScheduledEventAttributes;
    if (input?.activityType?.name === 'writeCarryChunk') carryBytes += input.input?.payloads?.[0]?.data?.length ?? 0;
  }
  runs.push({ events: history.events?.length ?? 0, bytes, largestPayload, largestType });
}
const table = board.tableUri ? await readTrialTable(store, board.tableUri) : [];
/** --json: one JSON object of named figures on stdout (issue 16), the table on stderr. */
const asJson = args.json;
const line = (name: string, value: string) => (asJson ? console.error : console.log)(`${name.padEnd(34)} ${value}`);
(asJson ? console.error : console.log)(`\nsweep history benchmark · ${trials} trials · ${args.strategy} + ${args.stopping} · ${gpus} GPUs · fake 20–200 ms trials\n`);
line('result', `${result.trials} trials: ${result.completed} completed, ${result.stopped} stopped, ${result.failed} failed · best ${result.best?.objective?.toFixed(4)} (trial ${result.best?.trial})`);
line('jobs started', `${jobsStarted} (a re-attached trial after a hand-over adopts its job: more than ${trials} would mean a relaunch)`);
line('wall', `${seconds.toFixed(0)} s · ${(result.trials / seconds).toFixed(1)} trials/s`);
line('continue-as-new runs', `${runs.length}`);
line('history events per run max / median', `${Math.max(...runs.map((r) => r.events))} / ${runs.map((r) => r.events).sort((a, b) => a - b)[Math.floor(runs.length / 2)]}`);
line('history bytes per run max', `${(Math.max(...runs.map((r) => r.bytes)) / 1e6).toFixed(2)} MB (Temporal limit 50 MB)`);
const largest = runs.reduce((top, r) => (r.largestPayload > top.largestPayload ? r : top), runs[0]!);
line('largest payload in any history', `${(largest.largestPayload / 1024).toFixed(0)} KiB (${largest.largestType}; Temporal refuses > 2 MiB)`);
line('hand-over state, all chunks, summed', `${(carryBytes / 1e6).toFixed(2)} MB over ${runs.length - 1} hand-overs`);
line('table in the store', `${table.length} trials, ${new Set(table.map((t) => Math.floor(t.trial / 500))).size} pages`);
line('leaderboard query', `${(JSON.stringify(board).length / 1024).toFixed(0)} KiB, ${board.trials.length} trials shown`);
line('bench process RSS max (worker inside)', `${(Math.max(...rss) / 2 ** 20).toFixed(0)} MiB`);
if (asJson) {
  console.log(
    JSON.stringify({
      bench: 'sweepHistory',
      trials: result.trials,
      jobsStarted,
      wallMs: Math.round(seconds * 1000),
      continueAsNewRuns: runs.length,
      historyEventsMax: Math.max(...runs.map((r) => r.events)),
      largestPayloadKiB: Math.round(largest.largestPayload / 1024),
      rssMiBPeak: Math.round(Math.max(...rss) / 2 ** 20),
    }),
  );
}
await connection.close();
await stack.stop();
