/**
 * A throw-away local cluster for integration tests: a temp state folder, real control-plane processes, fake GPU nodes,
 * and (optionally) the pod runner in this process.
 *
 *   const cluster = await startTestCluster({ podRunner: true });
 *   const batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
 *   ...
 *   await cluster.stop();                 // stops everything and deletes the state folder
 *
 * `clusterBinariesMissingReason()` says why the binaries cannot be had (no Go toolchain and nothing cached), so a
 * test can skip with that reason; any other build failure is an error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { DevError } from '../errors.js';
import { runCapture } from '../exec.js';
import { type ClusterUpResult, clusterDown, clusterUp, killClusterProcessesSync } from './cluster.js';
import { loadKubeConfig } from './kube.js';
import { ensureClusterBinaries } from './kwokctl.js';
import { clusterPaths } from './paths.js';
import { type PodRunner, startPodRunner } from './podRunner.js';

export interface TestClusterOptions {
  /** @default 2 */
  gpuNodes?: number;
  /** @default 4 */
  gpusPerNode?: number;
  /** Run the pod runner in this process (pods annotated gauntlet.dev/run-locally=true run locally). @default false */
  podRunner?: boolean;
  /** Keep the state folder after stop() (or GAUNTLET_KEEP_TEST_STATE=1), to read the component logs. @default false */
  keepState?: boolean;
}

export interface TestCluster {
  stateDir: string;
  kubeconfig: string;
  kubeConfig: KubeConfig;
  up: ClusterUpResult;
  runner?: PodRunner;
  stop(): Promise<void>;
}

/** Why the cluster binaries cannot be built here, or undefined when they are (or can be) there. Builds missing ones. */
export async function clusterBinariesMissingReason(): Promise<string | undefined> {
  try {
    await ensureClusterBinaries({ log: (line) => process.stderr.write(`${line}\n`) });
    return undefined;
  } catch (error) {
    const go = await runCapture('go', ['version']);
    if (error instanceof DevError && go.error?.code === 'ENOENT') return `cluster binaries are not cached and cannot be built: ${error.message}`;
    throw error;
  }
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gauntlet-cluster-'));
  const keep = options.keepState || process.env.GAUNTLET_KEEP_TEST_STATE === '1';
  let runner: PodRunner | undefined;
  let stopped = false;
  // If the test process dies without stop(), do not leave a control plane behind.
  const killOnExit = () => killClusterProcessesSync(stateDir);
  process.once('exit', killOnExit);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    try {
      await runner?.stop();
      await clusterDown({ stateDir, purge: !keep, log: () => undefined });
    } finally {
      if (!keep) rmSync(stateDir, { recursive: true, force: true });
    }
  };
  try {
    const up = await clusterUp({
      stateDir,
      gpuNodes: options.gpuNodes ?? 2,
      gpusPerNode: options.gpusPerNode ?? 4,
      log: (line) => {
        if (/^(building|built|waiting)/.test(line)) process.stderr.write(`${line}\n`);
      },
    });
    const paths = clusterPaths(stateDir);
    if (options.podRunner) runner = await startPodRunner({ kubeconfig: paths.kubeconfig, workDir: paths.podLogsDir });
    return { stateDir, kubeconfig: paths.kubeconfig, kubeConfig: loadKubeConfig(paths.kubeconfig), up, runner, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
