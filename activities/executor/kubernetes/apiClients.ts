/**
 * Kubernetes API clients that reuse their connections. @kubernetes/client-node 1.4 authenticates every API call with
 * `KubeConfig.applySecurityAuthentication`, which builds a new https.Agent each time: every call paid a TCP + TLS
 * handshake, and with hundreds of Jobs the kube-apiserver spent most of its CPU on them (a reused connection made a
 * call about 4× cheaper for it).
 *
 * These clients still let the KubeConfig authenticate each request exactly as makeApiClient's do (headers and
 * tokens from exec/file providers, re-read certificates), then swap the one-off agent it built for a keep-alive
 * agent with the same options, shared by every client of that KubeConfig. Different TLS options (a rotated client
 * certificate, another cluster's CA) get an agent of their own. Proxy agents, which the library builds only for
 * clusters with a proxy-url, are left as they are. Watches (informers) go through `applyToFetchOptions`, untouched:
 * each is one long-lived stream anyway.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { BatchV1Api, CoreV1Api, createConfiguration, ServerConfiguration, type KubeConfig, type RequestContext, type SecurityAuthentication } from '@kubernetes/client-node';

export interface KubeApiClients {
  batch: BatchV1Api;
  core: CoreV1Api;
}

/**
 * Idle sockets close after `timeout`, well before kube-apiserver drops them (90 s idle); `lifo` lets a burst's extra
 * sockets idle out. No maxSockets: client-node's node-fetch 2 fails a chunked response with a false "Premature close"
 * when its socket passes straight to a request queued in the agent (node-fetch#1767; seen here with 16 and 64).
 */
const KEEP_ALIVE: http.AgentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 30_000 };
/** Agents kept per KubeConfig; the oldest is dropped (its sockets finish their requests, then idle out). */
const MAX_AGENTS = 4;

type Agent = http.Agent | https.Agent;

/** A digest of the options a one-off agent was built with, or null when one is not plain data (then it is not pooled). */
function optionsKey(kind: string, options: Record<string, unknown>): string | null {
  const hash = createHash('sha256').update(kind);
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

class AgentPool {
  private readonly agents = new Map<string, Agent>();

  /** The shared keep-alive agent for the options of `agent`, the one-off agent the library built for a request. */
  shared(agent: Agent | undefined): Agent | undefined {
    // Exact classes only: proxy agents (subclasses) carry more than their options.
    const kind = agent?.constructor === https.Agent ? 'https' : agent?.constructor === http.Agent ? 'http' : null;
    if (!agent || !kind) return agent;
    const options = { ...(agent as https.Agent).options } as Record<string, unknown>;
    const key = optionsKey(kind, options);
    if (!key) return agent;
    let pooled = this.agents.get(key);
    if (!pooled) {
      pooled = kind === 'https' ? new https.Agent({ ...options, ...KEEP_ALIVE }) : new http.Agent({ ...options, ...KEEP_ALIVE });
      this.agents.set(key, pooled);
      if (this.agents.size > MAX_AGENTS) this.agents.delete(this.agents.keys().next().value!);
    }
    return pooled;
  }
}

/** One pool per KubeConfig, so the executor's and the watcher's clients share connections. */
const pools = new WeakMap<KubeConfig, AgentPool>();

function keepAliveAuthentication(kubeConfig: KubeConfig): SecurityAuthentication {
  let pool = pools.get(kubeConfig);
  if (!pool) pools.set(kubeConfig, (pool = new AgentPool()));
  const agents = pool;
  return {
    getName: () => kubeConfig.getName(),
    async applySecurityAuthentication(context: RequestContext) {
      await kubeConfig.applySecurityAuthentication(context);
      const agent = agents.shared(context.getAgent());
      if (agent) context.setAgent(agent);
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
