/**
 * What a pipeline run needs on the local cluster, beyond the cluster itself: the `gauntlet` namespace and the worker's
 * least-privilege RBAC (deploy/k8s, as in production), the storage Secret the Jobs read by reference (from the dev
 * stack's MinIO credentials), and a kubeconfig for the worker with only its ServiceAccount's token. `dev cluster up`
 * prepares it (idempotent); the worker kubeconfig's presence is what attaches the dev worker to the cluster.
 */
import { type KubeConfig, type KubernetesObject, KubernetesObjectApi, loadAllYaml } from '@kubernetes/client-node';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { minioEndpoint } from '../minio.js';
import { resolveOptions } from '../options.js';
import { repoRoot, statePaths } from '../paths.js';
import { readStackFile, rememberedConfig } from '../stackFile.js';
import { coreApi, statusOf } from './kube.js';
import type { ClusterPaths } from './paths.js';

/** The namespace of deploy/k8s (the RBAC grants rights only there) and the default of `kubernetes.namespace`. */
export const JOBS_NAMESPACE = 'gauntlet';
/** The default of `kubernetes.storageSecret` (core/spec/kubernetes.ts). */
export const STORAGE_SECRET = 'gauntlet-storage';
const WORKER_SERVICE_ACCOUNT = 'gauntlet-worker';
/** Long enough for a dev session; every `dev cluster up` issues a fresh token. */
const TOKEN_SECONDS = 30 * 24 * 3600;

export function workerKubeconfigPath(paths: ClusterPaths): string {
  return join(paths.dir, 'worker-kubeconfig');
}

export interface Workspace {
  namespace: string;
  storageSecret: string;
  storageEndpoint: string;
  /** The dev worker's kubeconfig (ServiceAccount gauntlet-worker). */
  workerKubeconfig: string;
}

export async function prepareWorkspace(kc: KubeConfig, paths: ClusterPaths, stateDir: string): Promise<Workspace> {
  const objects = kc.makeApiClient(KubernetesObjectApi);
  for (const file of ['namespace.yaml', 'worker-rbac.yaml']) {
    for (const doc of loadAllYaml(readFileSync(join(repoRoot(), 'deploy', 'k8s', file), 'utf8')) as KubernetesObject[]) await createOrReplace(objects, doc);
  }
  // The dev stack's MinIO, as `dev up` configured it for this state folder (pods of the pod runner run on this machine).
  const o = resolveOptions({ stateDir, log: () => undefined }, rememberedConfig(readStackFile(statePaths(stateDir))));
  const storageEndpoint = minioEndpoint(o);
  await createOrReplace(objects, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: STORAGE_SECRET, namespace: JOBS_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'gauntlet' } },
    stringData: {
      GAUNTLET_STORAGE_ENDPOINT: storageEndpoint,
      GAUNTLET_STORAGE_ACCESS_KEY: o.credentials.accessKey,
      GAUNTLET_STORAGE_SECRET_KEY: o.credentials.secretKey,
    },
  } as KubernetesObject);
  const workerKubeconfig = workerKubeconfigPath(paths);
  writeWorkerKubeconfig(kc, workerKubeconfig, await serviceAccountToken(kc));
  return { namespace: JOBS_NAMESPACE, storageSecret: STORAGE_SECRET, storageEndpoint, workerKubeconfig };
}

/** Detaches the dev worker from the cluster (the cluster's objects stay with the cluster's data). */
export function releaseWorkspace(paths: ClusterPaths): void {
  rmSync(workerKubeconfigPath(paths), { force: true });
}

async function createOrReplace(api: KubernetesObjectApi, object: KubernetesObject): Promise<void> {
  try {
    await api.create(object);
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    await api.replace(object);
  }
}

async function serviceAccountToken(kc: KubeConfig): Promise<string> {
  const request = await coreApi(kc).createNamespacedServiceAccountToken({
    name: WORKER_SERVICE_ACCOUNT,
    namespace: JOBS_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`the API server issued no token for ServiceAccount ${JOBS_NAMESPACE}/${WORKER_SERVICE_ACCOUNT}`);
  return token;
}

/** The admin kubeconfig's server and CA with the ServiceAccount's token: what the worker gets in a pod. 0600. */
function writeWorkerKubeconfig(admin: KubeConfig, file: string, token: string): void {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const ca = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'gauntlet-dev', cluster: { server: cluster.server, ...(ca ? { 'certificate-authority-data': ca } : {}) } }],
    users: [{ name: WORKER_SERVICE_ACCOUNT, user: { token } }],
    contexts: [{ name: 'gauntlet-worker', context: { cluster: 'gauntlet-dev', user: WORKER_SERVICE_ACCOUNT, namespace: JOBS_NAMESPACE } }],
    'current-context': 'gauntlet-worker',
  };
  writeFileSync(file, stringify(config), { mode: 0o600 });
  chmodSync(file, 0o600);
}
