/**
 * Kubernetes executor: each job is a `batch/v1` Job named after the job id (stable across activity retries), so a
 * retried activity finds the Job it already created (the create answers 409 → adopt) instead of launching a second
 * one. It reads state from the shared watch, progress from the store, heartbeats both, and classifies the outcome.
 * Cancellation deletes the Job and its pods; a worker shutdown leaves them for the next worker.
 */
import type { BatchV1Api, CoreV1Api, KubeConfig, V1Job } from '@kubernetes/client-node';
import { durationMs } from '../../../core/spec/duration.js';
import type { Job } from '../../../core/spec/job.js';
import type { ArtifactStore } from '../../store.js';
import { JobDetachedError, storageRetrySeconds, type ExecutionHooks, type ExecutionOutcome, type ExecutionRequest, type Executor } from '../types.js';
import { kubeApiClients } from './apiClients.js';
import { classifyJob, type JobState } from './classify.js';
import { StoredEventsReader } from './eventsReader.js';
import type { JobWatcher, NamespaceWatch } from './jobWatcher.js';
import { ANNOTATION, buildJobManifest, CONTAINER } from './manifest.js';

export interface KubernetesExecutorOptions {
  kubeConfig: KubeConfig;
  watcher: JobWatcher;
  store: ArtifactStore;
  /** Longest wait between looks when nothing changes (progress in the store has no watch). @default 2000 */
  pollMs?: number;
  now?: () => number;
}

const statusCode = (error: unknown) => (error as { code?: number } | null)?.code;

export class KubernetesExecutor implements Executor {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  readonly endpoint: string | undefined;

  constructor(private readonly options: KubernetesExecutorOptions) {
    this.endpoint = options.kubeConfig.getCurrentCluster()?.server;
    // Keep-alive connections, shared with the watcher's clients (client-node alone opens one per call).
    ({ batch: this.batch, core: this.core } = kubeApiClients(options.kubeConfig));
  }

  async run(request: ExecutionRequest, hooks: ExecutionHooks): Promise<ExecutionOutcome> {
    const spec = request.kubernetes;
    if (!spec) throw new Error('the kubernetes executor needs the pipeline\'s kubernetes section');
    const { namespace } = spec;
    const name = request.job.jobId;
    const watch = await this.options.watcher.forNamespace(namespace);
    const events = new StoredEventsReader(this.options.store, `${request.job.output.prefix}events.jsonl`, hooks.previous?.offset ?? 0);
    let lastCheckpoint = hooks.previous?.lastCheckpoint ?? null;

    const { launch, adopted } = await this.ensureJob(request, hooks, events);
    let waitingSince: number | null = null;
    const now = this.options.now ?? Date.now;
    const queueTimeoutMs = durationMs(spec.queueTimeout);

    for (;;) {
      if (hooks.signal.aborted) {
        if (hooks.isWorkerShutdown()) throw new JobDetachedError(name);
        await this.deleteJob(name, namespace);
        throw hooks.signal.reason ?? new Error('cancelled');
      }
      for (const event of await events.readNew()) {
        if (event.event === 'checkpoint') lastCheckpoint = event.uri;
        hooks.onEvent(event);
      }
      hooks.heartbeat({ offset: events.seen, lastCheckpoint });
      const state = await this.state(watch, name, namespace);
      if (state.kind === 'succeeded') {
        for (const event of await events.readNew()) hooks.onEvent(event);
        return { exitCode: 0, stderrTail: [], adopted, launches: launch };
      }
      if (state.kind === 'failed') {
        const tail = state.pod ? await this.logTail(state.pod, namespace) : [];
        return {
          exitCode: state.exitCode,
          stderrTail: tail,
          adopted,
          launches: launch,
          failure: { retryable: state.retryable, reason: state.reason, message: state.message },
        };
      }
      if (state.kind === 'waiting') {
        waitingSince ??= now();
        hooks.onEvent({ event: 'log', level: 'info', message: state.detail });
        if (now() - waitingSince > queueTimeoutMs) {
          await this.deleteJob(name, namespace);
          return {
            exitCode: null,
            stderrTail: [],
            adopted,
            launches: launch,
            failure: { retryable: false, reason: 'QueueTimeout', message: `${state.detail} — still unschedulable after ${spec.queueTimeout} (kubernetes.queueTimeout)` },
          };
        }
      } else {
        waitingSince = null;
      }
      await watch.changed(name, this.options.pollMs ?? 2000, hooks.signal);
    }
  }

  /** Creates the Job, adopts the one a previous attempt created, or replaces one that failed in a retryable way. */
  private async ensureJob(request: ExecutionRequest, hooks: ExecutionHooks, events: StoredEventsReader): Promise<{ launch: number; adopted: boolean }> {
    const spec = request.kubernetes!;
    const name = request.job.jobId;
    // Create first: a new Job (the usual case) costs one call; 409 AlreadyExists means an earlier attempt created it.
    let existing: V1Job | null;
    try {
      if (await this.createJob(request, hooks, events, 1)) return { launch: 1, adopted: false };
      existing = await this.readJob(name, spec.namespace);
    } catch (error) {
      // Admission (a full ResourceQuota, a webhook) runs before the AlreadyExists check, so an earlier attempt's
      // Job can be behind another error too: adopt it as well.
      existing = await this.readJob(name, spec.namespace).catch(() => null);
      if (!existing) throw error;
    }
    // Deleted between the two calls: create it again; another 409 means another attempt won the race: adopt it.
    if (!existing) return { launch: 1, adopted: !(await this.createJob(request, hooks, events, 1)) };
    let launch = Number(existing.metadata?.annotations?.[ANNOTATION.launch] ?? '1');
    const pods = (await this.core.listNamespacedPod({ namespace: spec.namespace, labelSelector: `gauntlet.dev/job=${name}` })).items;
    const state = classifyJob(existing, pods);
    if (state.kind !== 'failed' || !state.retryable) return { launch, adopted: true };
    // The earlier launch failed in a way a retry can fix: replace it, resuming from its last checkpoint.
    await this.deleteJob(name, spec.namespace);
    await this.waitGone(name, spec.namespace, hooks.signal);
    launch += 1;
    return { launch, adopted: !(await this.createJob(request, hooks, events, launch)) };
  }

  /** Creates the Job's launch number `launch` (after the first, resuming from the last checkpoint); false on 409 AlreadyExists. */
  private async createJob(request: ExecutionRequest, hooks: ExecutionHooks, events: StoredEventsReader, launch: number): Promise<boolean> {
    const spec = request.kubernetes!;
    const checkpoint = launch > 1 ? ((await events.lastCheckpoint()) ?? hooks.previous?.lastCheckpoint ?? null) : null;
    const job: Job = checkpoint ? hooks.resumeFrom(request.job, checkpoint) : request.job;
    const manifest = buildJobManifest(job, spec, request.identity, { launch, deadlineSeconds: request.deadlineSeconds, storageRetrySeconds: storageRetrySeconds(request.trainer), ...(request.env ? { env: request.env } : {}) });
    try {
      await this.batch.createNamespacedJob({ namespace: spec.namespace, body: manifest });
      return true;
    } catch (error) {
      if (statusCode(error) === 409) return false;
      throw error;
    }
  }

  private async state(watch: NamespaceWatch, name: string, namespace: string): Promise<JobState> {
    // The cache may not have seen a Job created a moment ago: ask the API server then.
    const job = watch.job(name) ?? (await this.readJob(name, namespace));
    if (!job) return { kind: 'failed', retryable: true, reason: 'JobGone', message: `Job ${namespace}/${name} disappeared`, exitCode: null, pod: null };
    return classifyJob(job, watch.podsOf(name));
  }

  private async readJob(name: string, namespace: string): Promise<V1Job | null> {
    try {
      return await this.batch.readNamespacedJob({ name, namespace });
    } catch (error) {
      if (statusCode(error) === 404) return null;
      throw error;
    }
  }

  private async deleteJob(name: string, namespace: string): Promise<void> {
    try {
      // Background propagation: the pods go too (the default would orphan them).
      await this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
    }
  }

  private async waitGone(name: string, namespace: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && (await this.readJob(name, namespace))) await new Promise((resolve) => setTimeout(resolve, 250));
  }

  private async logTail(pod: string, namespace: string): Promise<string[]> {
    try {
      const log = await this.core.readNamespacedPodLog({ name: pod, namespace, container: CONTAINER, tailLines: 20 });
      return log.split('\n').filter((line) => line.trim() !== '');
    } catch {
      return [];
    }
  }
}
