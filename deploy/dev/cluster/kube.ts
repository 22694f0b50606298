/** Kubernetes API access for the cluster code: clients from a kubeconfig file, health, small waits. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { DevError } from '../errors.js';
import { sleep } from '../process.js';

export function loadKubeConfig(path: string): KubeConfig {
  if (!existsSync(path)) throw new DevError(`no kubeconfig at ${path}: run \`gauntlet dev cluster up\` first`);
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** HTTP status of GET `path` on the API server (0 when it does not answer), authenticated as the kubeconfig's user. */
export async function apiGetStatus(kc: KubeConfig, path: string, timeoutMs = 3000): Promise<number> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return 0;
  const opts: { headers: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean } = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolveStatus) => {
    const req = request(new URL(path, server), { ...opts, method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveStatus(0));
    req.end();
  });
}

/** True when the API server answers /readyz with 200 (etcd reachable, informers synced). */
export async function apiReady(kc: KubeConfig): Promise<boolean> {
  return (await apiGetStatus(kc, '/readyz')) === 200;
}

/** Polls `check` until it returns a value other than undefined; throws `onTimeout()` after `timeoutMs`. */
export async function pollFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, onTimeout: () => Error, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw onTimeout();
    await sleep(intervalMs);
  }
}

export function coreApi(kc: KubeConfig): CoreV1Api {
  return kc.makeApiClient(CoreV1Api);
}

/** The HTTP status of a client-node error (ApiException.code, or statusCode on watch errors), else undefined. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}
