/**
 * Worker thread for bench/k8sScale.bench.ts: watches the bench's Jobs and pods and notes, on its own event loop (so
 * the executor's work in the main thread does not delay the stamps), when each one was first seen in each state,
 * and every 200 ms how many GPUs are busy. Timestamps are Date.now() in ms, the same clock as the main thread's.
 *
 * Messages: posts { ready } once both watches are open; on 'go' starts sampling; on 'stop' closes its watches and
 * posts the RecorderResult.
 */
import { KubeConfig, Watch, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { parentPort, workerData } from 'node:worker_threads';

export interface RecorderInput {
  kubeconfig: string;
  namespace: string;
  labelSelector: string;
  /** Jobs the bench submits at 'go' (all at once). */
  jobs: number;
}

export interface PodTimes {
  name: string;
  job: string;
  node: string | null;
  created: number;
  /** spec.nodeName first seen: the scheduler bound it. */
  bound: number | null;
  running: number | null;
  succeeded: number | null;
  failed: number | null;
  /** The scheduler marked it PodScheduled=False (Unschedulable) at least once: it waited for a GPU. */
  waited: boolean;
}

export interface JobTimes {
  name: string;
  added: number;
  /** SuccessCriteriaMet or Complete first seen (the Job controller sets the first before the pod is gone): success, as classify.ts reads it. */
  done: number | null;
}

export interface Sample {
  at: number;
  /** Submitted jobs whose pod is not bound to a node yet (no Job, no pod, or Pending unscheduled). */
  waiting: number;
  /** Pods in phase Running (their GPUs do work). */
  running: number;
  /** Pods bound to a node and not finished (their GPUs are taken in the scheduler's books). */
  held: number;
}

export interface RecorderResult {
  pods: PodTimes[];
  jobs: JobTimes[];
  samples: Sample[];
  /** Watch requests this thread made (each start or restart is one request). */
  watchRequests: number;
}

function record(input: RecorderInput): void {
  const port = parentPort!;
  const kc = new KubeConfig();
  kc.loadFromFile(input.kubeconfig);
  const watch = new Watch(kc);
  const pods = new Map<string, PodTimes>();
  const jobs = new Map<string, JobTimes>();
  const samples: Sample[] = [];
  let watchRequests = 0;
  let stopped = false;
  let boundCount = 0;
  const controllers: AbortController[] = [];

  const onPod = (pod: V1Pod, now: number) => {
    const name = pod.metadata?.name ?? '';
    let times = pods.get(name);
    if (!times) {
      times = { name, job: pod.metadata?.labels?.['gauntlet.dev/job'] ?? '', node: null, created: now, bound: null, running: null, succeeded: null, failed: null, waited: false };
      pods.set(name, times);
    }
    const phase = pod.status?.phase;
    if (!times.bound && pod.spec?.nodeName) {
      times.bound = now;
      times.node = pod.spec.nodeName;
      boundCount += 1;
    }
    if (!times.bound && pod.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')) times.waited = true;
    if (phase === 'Running' && !times.running) times.running = now;
    if (phase === 'Succeeded' && !times.succeeded) times.succeeded = now;
    if (phase === 'Failed' && !times.failed) times.failed = now;
  };
  const onJob = (job: V1Job, now: number) => {
    const name = job.metadata?.name ?? '';
    let times = jobs.get(name);
    if (!times) {
      times = { name, added: now, done: null };
      jobs.set(name, times);
    }
    if (!times.done && job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'SuccessCriteriaMet') && c.status === 'True')) times.done = now;
  };

  /** One watch, restarted from its last resourceVersion when the server closes it (from scratch on 410 Gone). */
  const open = async (path: string, handle: (object: never, now: number) => void): Promise<void> => {
    let resourceVersion: string | undefined;
    const start = async (): Promise<void> => {
      watchRequests += 1;
      const controller = await watch.watch(
        path,
        { labelSelector: input.labelSelector, ...(resourceVersion ? { resourceVersion } : {}) },
        (type: string, object: { metadata?: { resourceVersion?: string }; code?: number }) => {
          const now = Date.now();
          if (type === 'ERROR') {
            if (object.code === 410) resourceVersion = undefined;
            return;
          }
          resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
          if (type !== 'BOOKMARK') handle(object as never, now);
        },
        (error: unknown) => {
          if (stopped) return;
          if ((error as { statusCode?: number } | null)?.statusCode === 410) resourceVersion = undefined;
          setTimeout(() => void start(), error ? 200 : 0);
        },
      );
      controllers.push(controller);
    };
    await start();
  };

  const base = `/api/v1/namespaces/${input.namespace}/pods`;
  void Promise.all([open(base, onPod), open(`/apis/batch/v1/namespaces/${input.namespace}/jobs`, onJob)]).then(() => port.postMessage({ ready: true }));

  let sampler: NodeJS.Timeout | undefined;
  port.on('message', (message: string) => {
    if (message === 'go') {
      sampler = setInterval(() => {
        let running = 0;
        let held = 0;
        for (const times of pods.values()) {
          const finished = times.succeeded || times.failed;
          if (times.running && !finished) running += 1;
          if (times.bound && !finished) held += 1;
        }
        samples.push({ at: Date.now(), waiting: input.jobs - boundCount, running, held });
      }, 200);
    } else if (message === 'stop') {
      stopped = true;
      clearInterval(sampler);
      for (const controller of controllers) controller.abort();
      const result: RecorderResult = { pods: [...pods.values()], jobs: [...jobs.values()], samples, watchRequests };
      port.postMessage(result);
    }
  });
}

if (parentPort && (workerData as { recorder?: RecorderInput } | undefined)?.recorder) record((workerData as { recorder: RecorderInput }).recorder);
