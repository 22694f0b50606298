/**
 * The worker process: config from the environment, connections, activities with injected clients, and a
 * graceful shutdown that leaves running training jobs alive for the next worker to adopt.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities/index.js';
import { LocalExecutor } from '../activities/executor/local.js';
import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesExecutor } from '../activities/executor/kubernetes/executor.js';
import { JobWatcher } from '../activities/executor/kubernetes/jobWatcher.js';
import { ArtifactStore } from '../activities/store.js';
import { temporalConnectionOptions } from '../config/temporal.js';
import { ConfigError, loadWorkerConfig, trainerStorageEnv } from './config.js';
import { startHealthServer } from './health.js';
import { builtinDatasetExporter, createMinioClient, readCodeVersion } from './sideEffects.js';
import { createJobCache } from '../activities/jobCache.js';
import { trainerBaseEnv, trainerCommand } from './trainerCommand.js';
import { startWorkerTelemetry } from './telemetry/index.js';
import { TelemetryConfigError } from './telemetry/config.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..');

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const telemetry = await startWorkerTelemetry(); // before any connection: it installs the Temporal Runtime
  const stateDir = resolve(config.stateDir);
  // Up before Temporal answers: a worker waiting for Temporal is alive (liveness) but not ready.
  let workerState: () => string = () => 'CONNECTING';
  const health = config.healthPort === undefined ? undefined : await startHealthServer({ port: config.healthPort, state: () => workerState() });
  // Temporal may be restarting when the worker starts (a dev stack coming up, a rolling upgrade): wait for it.
  const connectionOptions = temporalConnectionOptions(config); // mTLS / API key when configured
  const connection = await untilConnected(config.temporalAddress, () => NativeConnection.connect(connectionOptions));
  const clientConnection = await untilConnected(config.temporalAddress, () => Connection.connect(connectionOptions));
  const temporal = new Client({ connection: clientConnection, namespace: config.namespace });
  const store = new ArtifactStore(createMinioClient(config), config.bucket, config.storageEndpoint);
  const executor = new LocalExecutor({
    jobsDir: join(stateDir, 'jobs'),
    command: (trainer) => trainerCommand(trainer, config.python, repoRoot),
    env: { ...trainerBaseEnv(repoRoot), ...trainerStorageEnv(config) },
    cwd: repoRoot,
  });
  // One shared watch of Jobs and Pods per namespace for the whole worker, not a poll loop per job.
  let watcher: JobWatcher | null = null;
  let kubernetes: KubernetesExecutor | null = null;
  if (config.kubeconfig) {
    const kubeConfig = new KubeConfig();
    // `in-cluster`: the worker runs in a pod and uses its ServiceAccount (see deploy/k8s).
    if (config.kubeconfig === 'in-cluster') kubeConfig.loadFromCluster();
    else kubeConfig.loadFromFile(config.kubeconfig);
    watcher = new JobWatcher(kubeConfig, { log: (message) => console.error(message) });
    kubernetes = new KubernetesExecutor({ kubeConfig, watcher, store });
  }
  const codeVersion = await readCodeVersion(repoRoot);
  const activities = createActivities({
    store,
    executors: { local: executor, kubernetes },
    temporal,
    exportBuiltinDataset: builtinDatasetExporter(config.python, repoRoot),
    codeVersion,
    jobCache: createJobCache({ store, codeVersion }),
    now: () => new Date(),
    metrics: telemetry.metrics,
  });
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: join(repoRoot, 'dist', 'workflows', 'index.js'),
    activities,
    // Long enough for quick activities to finish; training jobs are detached, not killed, on shutdown.
    shutdownGraceTime: '5s',
    // Cancellation reaches a job through its heartbeat replies: at most 2 s late (the SDK's default can be 30 s),
    // so a trial stopped by ASHA or a cancelled run frees its GPU promptly.
    maxHeartbeatThrottleInterval: '2s',
    ...telemetry.workerOptions, // tracing interceptors and the workflow span sink, when tracing is on
  });
  workerState = () => worker.getState();
  const executors = kubernetes ? 'local, kubernetes' : 'local';
  console.log(`gauntlet worker started · ${config.temporalAddress} · namespace ${config.namespace} · task queue ${config.taskQueue} · executors ${executors} · node ${process.version} · pid ${process.pid}`);
  try {
    await worker.run(); // resolves after SIGINT/SIGTERM, which the SDK runtime handles
  } finally {
    await watcher?.stop();
    await connection.close();
    await clientConnection.close();
    await health?.close();
    await telemetry.close();
  }
  console.log('gauntlet worker stopped');
}

/** Retries a connection with backoff (1 s doubling to 15 s), saying so, until Temporal answers. */
async function untilConnected<T>(address: string, connect: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      const wait = Math.min(15_000, 1000 * 2 ** (attempt - 1));
      console.error(`Temporal at ${address} unreachable (${error instanceof Error ? error.message : String(error)}); retrying in ${wait / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof TelemetryConfigError) console.error(error.message);
  else console.error('gauntlet worker failed:', error);
  process.exit(1);
});
