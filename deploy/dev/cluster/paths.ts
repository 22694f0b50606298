/** The files of the local cluster inside a state folder: `<state>/cluster/...`. */
import { join } from 'node:path';
import { repoRoot } from '../paths.js';

/** kwokctl's cluster name; the state folder (KWOK_WORKDIR) keeps clusters of different state folders apart. */
export const KWOK_CLUSTER_NAME = 'gauntlet';

export function clusterPaths(stateDir: string) {
  const dir = join(stateDir, 'cluster');
  const kwokWorkdir = join(dir, 'kwok');
  return {
    dir,
    /** Admin kubeconfig (client certificate) for users, tests and the pod runner. */
    kubeconfig: join(dir, 'kubeconfig'),
    /** KWOK_WORKDIR: kwokctl keeps each cluster under `<workdir>/clusters/<name>/` (pki, etcd data, pids, logs). */
    kwokWorkdir,
    kwokClusterDir: join(kwokWorkdir, 'clusters', KWOK_CLUSTER_NAME),
    /** What `up` did last: options, versions, nodes, timings. */
    clusterFile: join(dir, 'cluster.json'),
    kwokctlLog: join(dir, 'kwokctl.log'),
    lock: join(dir, 'cluster.lock'),
    runnerPidFile: join(dir, 'pod-runner.pid'),
    runnerLog: join(dir, 'pod-runner.log'),
    /** Container logs of run-locally pods (CRI format, served by kwok as the pods' logs). */
    podLogsDir: join(dir, 'pods'),
  };
}
export type ClusterPaths = ReturnType<typeof clusterPaths>;

/** The KWOK stages shipped with the repo (source file: tsc does not copy YAML into dist/). */
export function stagesFile(): string {
  return join(repoRoot(), 'deploy', 'dev', 'cluster', 'stages.yaml');
}
