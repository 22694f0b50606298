/**
 * `gauntlet dev cluster up | down | status` — the local Kubernetes cluster (KWOK with fake GPU nodes, deploy/dev/cluster).
 * Errors print one line and exit non-zero.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ClusterStatusResult, type ClusterUpResult, clusterDown, clusterStatus, clusterUp, rememberedPodRunner } from '../../deploy/dev/cluster/cluster.js';
import { loadKubeConfig } from '../../deploy/dev/cluster/kube.js';
import { clusterPaths } from '../../deploy/dev/cluster/paths.js';
import { type Workspace, prepareWorkspace, releaseWorkspace } from '../../deploy/dev/cluster/workspace.js';
import { DevError } from '../../deploy/dev/errors.js';
import { resolveStateDir } from '../../deploy/dev/paths.js';
import { type WorkerRestart, devRestartWorker } from '../../deploy/dev/stack.js';

function whole(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number ${min}-${max}, got "${value}"`);
    return n;
  };
}

const stateDirOption = () =>
  new Option('--state-dir <dir>', 'state folder; the cluster lives in <dir>/cluster (default <repo>/.gauntlet)').env('GAUNTLET_STATE_DIR');

function guarded<A extends unknown[]>(name: string, action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`gauntlet dev cluster ${name}: ${message.split('\n')[0]}\n`);
      if (process.env.GAUNTLET_DEBUG && !(error instanceof DevError) && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    }
  };
}

interface UpFlags {
  stateDir?: string;
  gpuNodes?: number;
  gpusPerNode?: number;
  apiserverPort?: number;
  runPodsLocally?: boolean;
  json?: boolean;
}

export function registerDevClusterCommands(dev: Command): Command {
  const cluster = dev.command('cluster').description('a local Kubernetes cluster (KWOK) with fake GPU nodes, for the kubernetes executor');

  cluster
    .command('up')
    .description('start the cluster (idempotent), create the GPU nodes, prepare namespace, RBAC and storage Secret, attach the dev worker')
    .addOption(stateDirOption())
    .option('--gpu-nodes <n>', 'fake GPU nodes (default 2, or what the last up used)', whole(0, 100))
    .option('--gpus-per-node <g>', 'nvidia.com/gpu per node (default 4, or what the last up used)', whole(0, 64))
    .option('--apiserver-port <port>', 'API server port when the cluster is created (default: a free port)', whole(1, 65535))
    .option('--run-pods-locally', 'run pods annotated gauntlet.dev/run-locally=true as local processes (the pod runner; default on)')
    .option('--no-run-pods-locally', 'stop the pod runner')
    .option('--json', 'print the result as JSON')
    .action(
      guarded('up', async (flags: UpFlags) => {
        const cluster = await clusterUp({
          stateDir: flags.stateDir,
          gpuNodes: flags.gpuNodes,
          gpusPerNode: flags.gpusPerNode,
          apiserverPort: flags.apiserverPort,
          // On unless turned off: the pod runner is what makes a Job's pod actually train here.
          runPodsLocally: flags.runPodsLocally ?? rememberedPodRunner(flags.stateDir) ?? true,
        });
        // What a run needs, then the dev worker restarted with the cluster's worker kubeconfig (when `dev up` runs it).
        const workspace = await prepareWorkspace(loadKubeConfig(cluster.kubeconfig), clusterPaths(cluster.stateDir), cluster.stateDir);
        const worker = await devRestartWorker({ stateDir: cluster.stateDir, log: () => undefined });
        const result = { ...cluster, workspace, worker };
        process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatUp(result));
      }),
    );

  cluster
    .command('down')
    .description('stop what this state folder started (cluster data kept unless --purge)')
    .addOption(stateDirOption())
    .option('--purge', 'also delete the cluster: etcd data, certificates, kubeconfig')
    .action(
      guarded('down', async (flags: { stateDir?: string; purge?: boolean }) => {
        // The dev worker first, so that it no longer watches an API server about to go away.
        const paths = clusterPaths(resolveStateDir(flags.stateDir));
        releaseWorkspace(paths);
        const worker = await devRestartWorker({ stateDir: flags.stateDir, log: () => undefined });
        if (worker === 'restarted') process.stdout.write('dev worker               restarted without the cluster (local executor only)\n');
        const result = await clusterDown({ stateDir: flags.stateDir, purge: flags.purge, log: () => undefined });
        if (result.stopped.length === 0) process.stdout.write(`no cluster was running from ${result.stateDir}\n`);
        for (const s of result.stopped) process.stdout.write(`${s.name.padEnd(24)} stopped (pid ${s.pid})\n`);
        if (result.purged) process.stdout.write(`deleted ${result.stateDir}/cluster\n`);
      }),
    );

  cluster
    .command('status')
    .description('components, API server health and nodes (exit code 1 when the cluster is not ready)')
    .addOption(stateDirOption())
    .option('--json', 'print an object: {kubeconfig, ready, nodes: [{name, ready, gpus}], ...}')
    .action(
      guarded('status', async (flags: { stateDir?: string; json?: boolean }) => {
        const status = await clusterStatus({ stateDir: flags.stateDir });
        process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
        if (!status.ready) process.exitCode = 1;
      }),
    );
  return cluster;
}

function formatUp(r: ClusterUpResult & { workspace: Workspace; worker: WorkerRestart }): string {
  const lines = [
    `Gauntlet dev cluster is up (${r.action}, ${r.seconds.toFixed(1)} s): Kubernetes ${r.versions.kubernetes}, kwok ${r.versions.kwok}`,
    `  API server   ${r.server}`,
    `  kubeconfig   ${r.kubeconfig}    (export KUBECONFIG=${r.kubeconfig})`,
    ...r.nodes.map((n) => `  node         ${n.name.padEnd(16)} ${n.ready ? 'Ready' : 'NotReady'}  nvidia.com/gpu ${n.gpus}`),
    `  pod runner   ${r.podRunner ? `pid ${r.podRunner.pid} (log ${r.podRunner.log})` : 'off (--run-pods-locally to run annotated pods as local processes)'}`,
    `  namespace    ${r.workspace.namespace}   (worker RBAC from deploy/k8s, storage Secret ${r.workspace.storageSecret} → ${r.workspace.storageEndpoint})`,
    `  dev worker   ${r.worker === 'restarted' ? 'restarted with' : 'not running: `gauntlet dev up` starts it with'} GAUNTLET_KUBECONFIG=${r.workspace.workerKubeconfig}`,
    `  try          gauntlet run examples/digits/kubernetes.yaml`,
    '',
  ];
  return lines.join('\n');
}

function formatStatus(s: ClusterStatusResult): string {
  const lines = [`cluster in ${s.stateDir}/cluster: ${s.ready ? `ready at ${s.server}` : 'not ready'}`];
  for (const c of s.components) lines.push(`  ${c.name.padEnd(24)} ${c.running ? `running  pid ${c.pid}` : 'stopped'}`);
  for (const n of s.nodes) lines.push(`  node ${n.name.padEnd(19)} ${n.ready ? 'Ready   ' : 'NotReady'} nvidia.com/gpu ${n.gpus}`);
  lines.push(`  pod runner               ${s.podRunner ? `running  pid ${s.podRunner.pid}` : 'off'}`);
  lines.push(`  kubeconfig               ${s.kubeconfig}`);
  return `${lines.join('\n')}\n`;
}
