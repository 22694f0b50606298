/**
 * Kubernetes API clients that reuse their connections. @kubernetes/client-node 2 (undici) authenticates every API
 * call with `KubeConfig.applySecurityAuthentication`, which builds a new undici Agent for each call whenever the
 * cluster needs TLS options (a CA, a client certificate: every real cluster): undici pools connections per Agent,
 * so every call still paid a TCP + TLS handshake, and the one-off Agents' sockets lingered until they idled out
 * (bench/RESULTS.md, "Kubernetes executor at scale": 1.00 connections per call without this).
 *
 * These clients still let the KubeConfig authenticate each request exactly as makeApiClient's do (headers and
 * tokens from exec/file providers, re-read certificates), then swap the one-off Agent for the shared one built for
 * the same TLS options, shared by every client of that KubeConfig. Different TLS options (a rotated client
 * certificate, another cluster's CA) get an Agent of their own. Proxies and SOCKS keep the library's dispatcher.
 * Watches (informers) call the KubeConfig directly, untouched: each is one long-lived stream anyway.
 */
import { createHash } from 'node:crypto';
import { BatchV1Api, CoreV1Api, createConfiguration, ServerConfiguration, type DispatcherOptions, type KubeConfig, type RequestContext, type SecurityAuthentication } from '@kubernetes/client-node';

export interface KubeApiClients {
  batch: BatchV1Api;
  core: CoreV1Api;
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** Agents kept per KubeConfig; the oldest is dropped (undici closes its idle sockets after a few seconds). */
const MAX_AGENTS = 4;

/** A digest of the options a one-off Agent was built with, or null when one is not plain data (then it is not pooled). */
function optionsKey(options: Record<string, unknown>): string | null {
  const hash = createHash('sha256');
  for (const name of Object.keys(options).sort()) {
    const value = options[name];
    if (value === undefined || value === null) continue;
    hash.update(`\0${name}=`);
    for (const part of Array.isArray(value) ? value : [value]) {
      if (Buffer.isBuffer(part)) hash.update(part);
      else if (['string', 'number', 'boolean'].includes(typeof part)) hash.update(`${typeof part}:${String(part)}`);
      else return null;
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

class DispatcherPool {
  private readonly agents = new Map<string, Dispatcher>();

  /** The shared Agent for `key`; the one-off Agent just built for this request becomes it when there is none. */
  shared(key: string, oneOff: Dispatcher): Dispatcher {
    let pooled = this.agents.get(key);
    if (!pooled) {
      pooled = oneOff;
      this.agents.set(key, pooled);
      if (this.agents.size > MAX_AGENTS) this.agents.delete(this.agents.keys().next().value!);
    }
    return pooled;
  }
}

/** One pool per KubeConfig, so the executor's and the watcher's clients share connections. */
const pools = new WeakMap<KubeConfig, DispatcherPool>();

function keepAliveAuthentication(kubeConfig: KubeConfig): SecurityAuthentication {
  let pool = pools.get(kubeConfig);
  if (!pool) pools.set(kubeConfig, (pool = new DispatcherPool()));
  const agents = pool;
  return {
    getName: () => kubeConfig.getName(),
    async applySecurityAuthentication(context: RequestContext) {
      // A per-request view of the KubeConfig that notes the dispatcher options its public createDispatcherOptions
      // computes for this request (the Agent itself keeps them private); everything else is the KubeConfig's own.
      let options: DispatcherOptions | undefined;
      const view = Object.create(kubeConfig) as KubeConfig;
      view.createDispatcherOptions = (cluster, agentOptions) => (options = kubeConfig.createDispatcherOptions(cluster, agentOptions));
      await view.applySecurityAuthentication(context);
      const oneOff = context.getDispatcher();
      // 'none' uses undici's global dispatcher, which pools already; proxies keep their own.
      if (!oneOff || options?.type !== 'agent') return;
      const key = optionsKey(options.connect as Record<string, unknown>);
      if (key) context.setDispatcher(agents.shared(key, oneOff));
    },
  };
}

/** `kubeConfig.makeApiClient(type)`, with connections kept alive and shared per KubeConfig. */
export function makeKeepAliveApiClient<T>(kubeConfig: KubeConfig, apiClientType: new (configuration: ReturnType<typeof createConfiguration>) => T): T {
  // As makeApiClient does: the current cluster's server, fixed now; the KubeConfig authenticates each request.
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: keepAliveAuthentication(kubeConfig) },
  });
  return new apiClientType(configuration);
}

export function kubeApiClients(kubeConfig: KubeConfig): KubeApiClients {
  return { batch: makeKeepAliveApiClient(kubeConfig, BatchV1Api), core: makeKeepAliveApiClient(kubeConfig, CoreV1Api) };
}
