/**
 * `gauntlet dev cluster up | down | status`: a KWOK cluster on loopback (real etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler; kwok plays the kubelets) with fake GPU nodes, owned by one state folder.
 * `up` is idempotent; `down` stops what kwokctl started for this state folder (pid files in its workdir).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinary } from '../binaries.js';
import { DevError } from '../errors.js';
import { withLock } from '../lock.js';
import { portInUse } from '../net.js';
import { resolveStateDir } from '../paths.js';
import { processStartTime, sleep } from '../process.js';
import { apiReady, coreApi, loadKubeConfig, pollFor } from './kube.js';
import {
  type ClusterBinaries,
  createKwokCluster,
  deleteKwokCluster,
  ensureClusterBinaries,
  kwokClusterExists,
  startKwokCluster,
  stopKwokCluster,
} from './kwokctl.js';
import { type NodeSummary, managedNodes, reconcileNodes } from './nodes.js';
import { type ClusterPaths, clusterPaths } from './paths.js';
import { ensureRunnerProcess, runnerRecord, stopRunnerProcess } from './runnerProcess.js';
import { ETCD_VERSION, KUBERNETES_VERSION, KWOK_VERSION } from './versions.js';

export interface ClusterOptions {
  /** @default `$GAUNTLET_STATE_DIR` or `<repo>/.gauntlet` */
  stateDir?: string;
  /** Fake GPU nodes. @default what the last `up` used, else 2 */
  gpuNodes?: number;
  /** `nvidia.com/gpu` per node. @default what the last `up` used, else 4 */
  gpusPerNode?: number;
  /** API server port, on a first `up` only. @default a free port */
  apiserverPort?: number;
  /** Also run the pod runner (pods annotated gauntlet.dev/run-locally run as local processes). @default false */
  runPodsLocally?: boolean;
  /** Binary cache root. @default `$GAUNTLET_CACHE_DIR` or `<repo>/.cache` */
  cacheDir?: string;
  /** How long the API server and the nodes may take to be ready. @default 120000 */
  timeoutMs?: number;
  /** Progress lines. @default to stderr */
  log?: (line: string) => void;
}

/** `<state>/cluster/cluster.json`. */
export interface ClusterFile {
  schema: 1;
  kubeconfig: string;
  server: string;
  gpuNodes: number;
  gpusPerNode: number;
  versions: { kubernetes: string; etcd: string; kwok: string };
  binaries: Partial<ClusterBinaries>;
  podRunner: boolean;
  updatedAt: string;
}

export type ClusterAction = 'created' | 'started' | 'already running';
export interface ClusterUpResult {
  stateDir: string;
  kubeconfig: string;
  server: string;
  action: ClusterAction;
  nodes: NodeSummary[];
  podRunner: { pid: number; log: string } | null;
  versions: ClusterFile['versions'];
  seconds: number;
}

const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller'] as const;

export async function clusterUp(options: ClusterOptions = {}): Promise<ClusterUpResult> {
  const began = Date.now();
  const stateDir = resolveStateDir(options.stateDir);
  const paths = clusterPaths(stateDir);
  mkdirSync(paths.dir, { recursive: true });
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return withLock(paths.lock, (owner) => log(`waiting for gauntlet pid ${owner} (cluster up/down on ${stateDir})…`), async () => {
    const previous = readClusterFile(paths);
    const gpuNodes = options.gpuNodes ?? previous?.gpuNodes ?? 2;
    const gpusPerNode = options.gpusPerNode ?? previous?.gpusPerNode ?? 4;
    const runPodsLocally = options.runPodsLocally ?? previous?.podRunner ?? false;
    const timeoutMs = options.timeoutMs ?? 120_000;
    const bins = await ensureClusterBinaries({ cacheDir: options.cacheDir, log });

    let action: ClusterAction;
    if (!kwokClusterExists(paths)) {
      if (options.apiserverPort && (await portInUse('127.0.0.1', options.apiserverPort))) {
        throw new DevError(`port ${options.apiserverPort} is in use by another process: stop it or pass another --apiserver-port`);
      }
      log('creating the cluster (kwokctl, binary runtime)…');
      try {
        await createKwokCluster(paths, bins, { apiserverPort: options.apiserverPort });
      } catch (error) {
        // kwokctl leaves what it started running when a later component fails; and a half-created cluster would be
        // "started" (and fail the same way) by the next `up`: stop and remove it.
        await terminate(runningComponents(paths));
        await deleteKwokCluster(paths, bins).catch(() => undefined);
        throw error;
      }
      action = 'created';
    } else {
      action = runningComponents(paths).length === COMPONENTS.length ? 'already running' : 'started';
      await startKwokCluster(paths, bins); // starts only the components that are not running
    }
    try {
      const kc = loadKubeConfig(paths.kubeconfig);
      const server = kc.getCurrentCluster()?.server ?? '';
      await pollFor(async () => ((await apiReady(kc)) ? true : undefined), timeoutMs, () =>
        new DevError(`the API server at ${server} is not ready after ${timeoutMs / 1000} s: see ${join(paths.kwokClusterDir, 'logs', 'kube-apiserver.log')}`),
      );
      const core = coreApi(kc);
      await reconcileNodes(core, { count: gpuNodes, gpusPerNode });
      const nodes = await pollFor(
        async () => {
          const list = await managedNodes(core);
          const ready = list.length === gpuNodes && list.every((n) => n.ready && n.gpus === gpusPerNode);
          return ready ? list : undefined;
        },
        timeoutMs,
        () => new DevError(`the fake nodes are not Ready after ${timeoutMs / 1000} s: see ${join(paths.kwokClusterDir, 'logs', 'kwok-controller.log')}`),
      );
      const runnerPid = runPodsLocally ? await ensureRunnerProcess(paths) : undefined;
      if (!runPodsLocally) await stopRunnerProcess(paths);
      const versions = { kubernetes: KUBERNETES_VERSION, etcd: ETCD_VERSION, kwok: KWOK_VERSION };
      writeClusterFile(paths, {
        schema: 1,
        kubeconfig: paths.kubeconfig,
        server,
        gpuNodes,
        gpusPerNode,
        versions,
        binaries: bins,
        podRunner: runPodsLocally,
        updatedAt: new Date().toISOString(),
      });
      return {
        stateDir,
        kubeconfig: paths.kubeconfig,
        server,
        action,
        nodes,
        podRunner: runnerPid ? { pid: runnerPid, log: paths.runnerLog } : null,
        versions,
        seconds: (Date.now() - began) / 1000,
      };
    } catch (error) {
      // A failed `up` leaves nothing new running: stop what this call started.
      if (action !== 'already running') {
        await terminate(runningComponents(paths));
        await stopKwokCluster(paths, bins).catch(() => undefined);
      }
      throw error;
    }
  });
}

export interface ClusterDownResult {
  stateDir: string;
  /** Components (and the pod runner) that were running and are stopped now. */
  stopped: { name: string; pid: number }[];
  purged: boolean;
}

/** Stops the pod runner and the cluster's processes; `purge` also deletes the cluster (PKI, etcd data, kubeconfig). */
export async function clusterDown(options: { stateDir?: string; purge?: boolean; cacheDir?: string; log?: (line: string) => void } = {}): Promise<ClusterDownResult> {
  const stateDir = resolveStateDir(options.stateDir);
  const paths = clusterPaths(stateDir);
  const result: ClusterDownResult = { stateDir, stopped: [], purged: false };
  if (!existsSync(paths.dir)) return result;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return withLock(paths.lock, (owner) => log(`waiting for gauntlet pid ${owner} (cluster up/down on ${stateDir})…`), async () => {
    const runner = await stopRunnerProcess(paths);
    if (runner) result.stopped.push({ name: 'pod-runner', pid: runner });
    if (kwokClusterExists(paths)) {
      const running = runningComponents(paths);
      // kwokctl only needs itself and kubectl to stop or delete (the other binaries are in its config).
      const bins = {
        kwokctl: await ensureBinary('kwokctl', { cacheDir: options.cacheDir, log }),
        kubectl: await ensureBinary('kubectl', { cacheDir: options.cacheDir, log }),
      } as ClusterBinaries;
      await terminate(running);
      if (options.purge) await deleteKwokCluster(paths, bins);
      else await stopKwokCluster(paths, bins);
      await waitGone(running);
      result.stopped.push(...running.map(({ name, pid }) => ({ name, pid })));
    }
    if (options.purge) {
      rmSync(paths.dir, { recursive: true, force: true });
      result.purged = true;
    }
    return result;
  });
}

export interface ClusterStatusResult {
  stateDir: string;
  kubeconfig: string;
  server: string | null;
  /** The API server answers /readyz. */
  ready: boolean;
  components: { name: string; pid: number | null; running: boolean }[];
  nodes: NodeSummary[];
  podRunner: { pid: number; log: string } | null;
  versions: ClusterFile['versions'] | null;
}

export async function clusterStatus(options: { stateDir?: string } = {}): Promise<ClusterStatusResult> {
  const stateDir = resolveStateDir(options.stateDir);
  const paths = clusterPaths(stateDir);
  const file = readClusterFile(paths);
  const running = runningComponents(paths);
  const components = COMPONENTS.map((name) => {
    const found = running.find((r) => r.name === name);
    return { name, pid: found?.pid ?? null, running: found !== undefined };
  });
  let ready = false;
  let nodes: NodeSummary[] = [];
  let server: string | null = null;
  if (existsSync(paths.kubeconfig) && running.length > 0) {
    const kc = loadKubeConfig(paths.kubeconfig);
    server = kc.getCurrentCluster()?.server ?? null;
    ready = await apiReady(kc);
    if (ready) nodes = await managedNodes(coreApi(kc)).catch(() => []);
  }
  const runner = runnerRecord(paths);
  return {
    stateDir,
    kubeconfig: paths.kubeconfig,
    server,
    ready,
    components,
    nodes,
    podRunner: runner ? { pid: runner.pid, log: paths.runnerLog } : null,
    versions: file?.versions ?? null,
  };
}

/**
 * Components whose kwokctl pid file names a live process started from this cluster's folder. kwokctl's pid files hold
 * a bare pid: after a reboot one may name an unrelated process, which kwokctl would then SIGKILL on `stop`, so such a
 * stale file is removed here first.
 */
function runningComponents(paths: ClusterPaths): { name: string; pid: number }[] {
  const dir = join(paths.kwokClusterDir, 'pids');
  if (!existsSync(dir)) return [];
  const found: { name: string; pid: number }[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.pid')) continue;
    const name = file.slice(0, -4);
    const pid = Number(readFileSync(join(dir, file), 'utf8').trim());
    const alive = Number.isInteger(pid) && pid > 0 && processStartTime(pid) !== undefined;
    if (alive && commandOf(pid).startsWith(join(paths.kwokClusterDir, 'bin', name))) found.push({ name, pid });
    else rmSync(join(dir, file), { force: true });
  }
  return found;
}

/** Last resort for a test process that exits without `down`: SIGKILL what kwokctl started (synchronous, for 'exit'). */
export function killClusterProcessesSync(stateDir: string): void {
  for (const { pid } of runningComponents(clusterPaths(stateDir))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    return '';
  }
}

/**
 * SIGTERM first, so etcd and the API server shut down cleanly (kwokctl's own stop sends SIGKILL). In order: with etcd
 * gone the API server would wait out its shutdown timeout (~10 s); clients first, then the API server, then etcd.
 */
async function terminate(processes: { name: string; pid: number }[]): Promise<void> {
  const order = [['kwok-controller', 'kube-scheduler', 'kube-controller-manager'], ['kube-apiserver'], ['etcd']];
  for (const names of order) {
    const group = processes.filter((p) => names.includes(p.name) || !order.flat().includes(p.name));
    for (const { pid } of group) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && group.some(({ pid }) => processStartTime(pid) !== undefined)) await sleep(50);
  }
}

/** kwokctl signals and returns: wait until the processes are really gone (a port must be free for the next `up`). */
async function waitGone(processes: { name: string; pid: number }[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (processes.some(({ pid }) => processStartTime(pid) !== undefined)) {
    if (Date.now() > deadline) {
      const left = processes.filter(({ pid }) => processStartTime(pid) !== undefined).map(({ name, pid }) => `${name} (pid ${pid})`);
      throw new DevError(`still running after kwokctl stopped the cluster: ${left.join(', ')}; stop them by pid`);
    }
    await sleep(100);
  }
}

/** Whether the last `up` of this state folder ran the pod runner; undefined before the first `up`. */
export function rememberedPodRunner(stateDir?: string): boolean | undefined {
  return readClusterFile(clusterPaths(resolveStateDir(stateDir)))?.podRunner;
}

function readClusterFile(paths: ClusterPaths): ClusterFile | undefined {
  try {
    return JSON.parse(readFileSync(paths.clusterFile, 'utf8')) as ClusterFile;
  } catch {
    return undefined;
  }
}

function writeClusterFile(paths: ClusterPaths, file: ClusterFile): void {
  writeFileSync(paths.clusterFile, `${JSON.stringify(file, null, 2)}\n`);
}

