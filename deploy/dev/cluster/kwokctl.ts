/**
 * kwokctl with the binary runtime: it writes the PKI, kubeconfigs and component flags for the Kubernetes version it
 * reads from each binary, and runs etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok-controller as
 * detached processes with pid files in its workdir (so `stop` ends exactly those). We only hand it our binaries.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { type BinaryName, type EnsureBinaryOptions, ensureBinary } from '../binaries.js';
import { DevError } from '../errors.js';
import { runCapture } from '../exec.js';
import { type ClusterPaths, KWOK_CLUSTER_NAME, stagesFile } from './paths.js';
import type { ClusterBinaryName } from './versions.js';

export type ClusterBinaries = Record<ClusterBinaryName, string>;

/** Every binary the cluster needs, from PATH, the cache, or built now (one at a time: parallel Go builds only fight). */
export async function ensureClusterBinaries(opts: EnsureBinaryOptions = {}): Promise<ClusterBinaries> {
  const names: ClusterBinaryName[] = ['kwokctl', 'kwok', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'];
  const found: Partial<ClusterBinaries> = {};
  for (const name of names) found[name] = await ensureBinary(name satisfies BinaryName, opts);
  return found as ClusterBinaries;
}

export interface KwokctlOptions {
  /** API server port. @default a free one chosen by kwokctl */
  apiserverPort?: number;
}

/** True once `create` has written the cluster's config (its processes may or may not be running). */
export function kwokClusterExists(paths: ClusterPaths): boolean {
  return existsSync(join(paths.kwokClusterDir, 'kwok.yaml'));
}

/**
 * `--config` for kwokctl: our options (loopback only, RBAC on) followed by the shipped stages. Written into the
 * state folder so a later `start` reads the same file.
 */
function writeConfig(paths: ClusterPaths, opts: KwokctlOptions): string {
  const file = join(paths.dir, 'kwokctl.yaml');
  const options = [
    'apiVersion: config.kwok.x-k8s.io/v1alpha1',
    'kind: KwokctlConfiguration',
    'options:',
    '  bindAddress: 127.0.0.1', // kwokctl's default is 0.0.0.0: a dev cluster must not listen on the network
    '  kubeAuthorization: true', // RBAC, so least-privilege roles can be tested for real
    '  kubeAdmission: true',
    '  disableQPSLimits: true',
    ...(opts.apiserverPort ? [`  kubeApiserverPort: ${opts.apiserverPort}`] : []),
  ].join('\n');
  writeFileSync(file, `${options}\n---\n${readFileSync(stagesFile(), 'utf8')}`);
  return file;
}

function kwokctlEnv(paths: ClusterPaths, bins: ClusterBinaries): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KWOK_WORKDIR: paths.kwokWorkdir,
    KWOK_RUNTIME: 'binary',
    // kwokctl runs kubectl (health checks, CRDs); without it on PATH it would try to download one.
    KWOK_KUBECTL_BINARY: bins.kubectl,
    PATH: `${dirname(bins.kubectl)}${delimiter}${process.env.PATH ?? ''}`,
  };
}

async function kwokctl(paths: ClusterPaths, bins: ClusterBinaries, args: string[], timeoutMs: number): Promise<void> {
  mkdirSync(paths.dir, { recursive: true });
  appendFileSync(paths.kwokctlLog, `\n--- ${new Date().toISOString()} kwokctl ${args.join(' ')}\n`);
  const out = await runCapture(bins.kwokctl, args, { env: kwokctlEnv(paths, bins), timeoutMs });
  appendFileSync(paths.kwokctlLog, out.stdout + out.stderr);
  if (out.code !== 0) {
    const last = (out.stderr || out.stdout).trim().split('\n').filter(Boolean).slice(-1)[0] ?? '(no output)';
    const why = out.timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : `exited ${out.code}`;
    throw new DevError(`kwokctl ${args.slice(0, 2).join(' ')} ${why}: ${readable(last).slice(0, 300)} (log: ${paths.kwokctlLog})`);
  }
}

/** kwokctl logs JSON lines: keep the message and error of one. */
function readable(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; err?: string };
    return [entry.msg, entry.err].filter(Boolean).join(': ') || line;
  } catch {
    return line;
  }
}

/** Creates and starts the cluster; the admin kubeconfig lands at `paths.kubeconfig`. */
export async function createKwokCluster(paths: ClusterPaths, bins: ClusterBinaries, opts: KwokctlOptions = {}): Promise<void> {
  const config = writeConfig(paths, opts);
  await kwokctl(paths, bins, [
    'create', 'cluster',
    '--name', KWOK_CLUSTER_NAME,
    '--runtime', 'binary',
    '--config', config,
    // A kubeconfig of our own: kwokctl would otherwise merge into ~/.kube/config and switch its context.
    '--kubeconfig', paths.kubeconfig,
    // Logs objects name a file per pod: how the pod runner makes `kubectl logs` work for run-locally pods.
    '--enable-crds', 'Logs',
    '--etcd-binary', bins.etcd,
    '--kube-apiserver-binary', bins['kube-apiserver'],
    '--kube-controller-manager-binary', bins['kube-controller-manager'],
    '--kube-scheduler-binary', bins['kube-scheduler'],
    '--kwok-controller-binary', bins.kwok,
    '--timeout', '5m',
  ], 330_000);
}

/** Starts the components of an existing cluster that are not running (kwokctl skips running ones). */
export async function startKwokCluster(paths: ClusterPaths, bins: ClusterBinaries): Promise<void> {
  await kwokctl(paths, bins, ['start', 'cluster', '--name', KWOK_CLUSTER_NAME], 180_000);
}

/** Stops the cluster's processes (its pid files), keeping its data. */
export async function stopKwokCluster(paths: ClusterPaths, bins: ClusterBinaries): Promise<void> {
  await kwokctl(paths, bins, ['stop', 'cluster', '--name', KWOK_CLUSTER_NAME], 120_000);
}

/** Stops the processes and deletes the cluster's folder (PKI, etcd data). */
export async function deleteKwokCluster(paths: ClusterPaths, bins: ClusterBinaries): Promise<void> {
  await kwokctl(paths, bins, ['delete', 'cluster', '--name', KWOK_CLUSTER_NAME, '--kubeconfig', paths.kubeconfig], 120_000);
}
