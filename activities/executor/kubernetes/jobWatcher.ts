/**
 * One shared watch per worker and namespace — not one poll loop per job. Two informers (Jobs and Pods, both
 * selected by Gauntlet's managed-by label) keep a local cache; executors read the cache and are woken on changes.
 * The client relists on 410 Gone by itself; on any other error the informer stops, so it is restarted here.
 */
import { KubeConfig, makeInformer, type Informer, type ObjectCache, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { kubeApiClients } from './apiClients.js';
import { LABEL, MANAGED_SELECTOR } from './manifest.js';

type Cached<T extends V1Job | V1Pod> = Informer<T> & ObjectCache<T>;

export interface JobWatcherOptions {
  /** Delay before restarting an informer that stopped on an error. @default 1000 */
  restartDelayMs?: number;
  log?: (message: string) => void;
}

class NamespaceWatch {
  readonly jobs: Cached<V1Job>;
  readonly pods: Cached<V1Pod>;
  private readonly listeners = new Map<string, Set<() => void>>();
  private stopped = false;
  readonly ready: Promise<void>;

  constructor(kubeConfig: KubeConfig, readonly namespace: string, private readonly options: JobWatcherOptions) {
    // The informers' lists share the executor's keep-alive connections; their watches are streams of their own.
    const { batch, core } = kubeApiClients(kubeConfig);
    this.jobs = makeInformer(kubeConfig, `/apis/batch/v1/namespaces/${namespace}/jobs`, () => batch.listNamespacedJob({ namespace, labelSelector: MANAGED_SELECTOR }), MANAGED_SELECTOR);
    this.pods = makeInformer(kubeConfig, `/api/v1/namespaces/${namespace}/pods`, () => core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR }), MANAGED_SELECTOR);
    for (const informer of [this.jobs, this.pods] as Cached<V1Job | V1Pod>[]) {
      const notify = (object: V1Job | V1Pod) => this.notify(object.metadata?.labels?.[LABEL.job]);
      informer.on('add', notify);
      informer.on('update', notify);
      informer.on('delete', notify);
      informer.on('error', (error: unknown) => this.restart(informer, error));
    }
    this.ready = Promise.all([this.jobs.start(), this.pods.start()]).then(() => undefined);
  }

  private restart(informer: Cached<V1Job | V1Pod>, error: unknown): void {
    if (this.stopped) return;
    this.options.log?.(`kubernetes watch in ${this.namespace} stopped (${String(error)}); restarting`);
    setTimeout(() => {
      if (!this.stopped) informer.start().catch((again: unknown) => this.restart(informer, again));
    }, this.options.restartDelayMs ?? 1000);
    // Wake everyone: their next look goes to the API server, not a stale cache.
    for (const set of this.listeners.values()) for (const wake of set) wake();
  }

  private notify(jobName: string | undefined): void {
    if (!jobName) return;
    for (const wake of this.listeners.get(jobName) ?? []) wake();
  }

  /** Resolves on the next change to this job or its pods, or after `timeoutMs`. */
  changed(jobName: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.listeners.get(jobName) ?? new Set();
      this.listeners.set(jobName, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  job(name: string): V1Job | undefined {
    return this.jobs.get(name, this.namespace);
  }

  podsOf(jobName: string): V1Pod[] {
    return this.pods.list(this.namespace).filter((pod) => pod.metadata?.labels?.[LABEL.job] === jobName);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.jobs.stop(), this.pods.stop()]);
  }
}

export class JobWatcher {
  private readonly namespaces = new Map<string, NamespaceWatch>();

  constructor(private readonly kubeConfig: KubeConfig, private readonly options: JobWatcherOptions = {}) {}

  async forNamespace(namespace: string): Promise<NamespaceWatch> {
    let watch = this.namespaces.get(namespace);
    if (!watch) {
      watch = new NamespaceWatch(this.kubeConfig, namespace, this.options);
      this.namespaces.set(namespace, watch);
    }
    await watch.ready;
    return watch;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.namespaces.values()].map((watch) => watch.stop()));
    this.namespaces.clear();
  }
}
export type { NamespaceWatch };
