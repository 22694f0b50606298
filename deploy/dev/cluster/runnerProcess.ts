/** The pod runner as a detached process owned by a state folder (pid file + log), for `dev cluster up --run-pods-locally`. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DevError } from '../errors.js';
import { waitUntil } from '../net.js';
import { repoRoot } from '../paths.js';
import { type PidRecord, isOurs, readPidFile, removeFile, spawnDetached, stopProcess } from '../process.js';
import { detectPython } from '../worker.js';
import type { ClusterPaths } from './paths.js';

/** Printed by podRunnerMain.ts once it watches pods. */
export const RUNNER_READY_MARKER = 'pod runner: watching pods';

function runnerEntry(): string {
  return join(repoRoot(), 'dist', 'deploy', 'dev', 'cluster', 'podRunnerMain.js');
}

export function runnerRecord(paths: ClusterPaths): PidRecord | undefined {
  const record = readPidFile(paths.runnerPidFile);
  return isOurs(record) ? record : undefined;
}

/** Starts the runner unless it runs already; waits for it to watch pods. Returns its pid. */
export async function ensureRunnerProcess(paths: ClusterPaths): Promise<number> {
  const running = runnerRecord(paths);
  if (running) return running.pid;
  if (!existsSync(runnerEntry())) throw new DevError(`the pod runner is not built (${runnerEntry()} is missing): run \`npm run build\``);
  // The Python with torch plays the trainer image's python3; without one, trainer pods fail with the trainer's error.
  const python = await detectPython().catch(() => undefined);
  const record = spawnDetached({
    command: process.execPath,
    args: [runnerEntry(), '--kubeconfig', paths.kubeconfig, '--work-dir', paths.podLogsDir, ...(python ? ['--trainer-python', python] : [])],
    env: process.env,
    logFile: paths.runnerLog,
    pidFile: paths.runnerPidFile,
  });
  const output = () => (existsSync(paths.runnerLog) ? readFileSync(paths.runnerLog).subarray(record.logOffset).toString('utf8') : '');
  const ready = await waitUntil(async () => !isOurs(record) || output().includes(RUNNER_READY_MARKER), 30_000);
  if (!ready || !isOurs(record)) {
    const last = output().trim().split('\n').slice(-1)[0] ?? '(no output)';
    await stopProcess(record, 2000);
    removeFile(paths.runnerPidFile);
    throw new DevError(`the pod runner did not start: ${last.slice(0, 300)} (log: ${paths.runnerLog})`);
  }
  return record.pid;
}

export async function stopRunnerProcess(paths: ClusterPaths): Promise<number | undefined> {
  const record = readPidFile(paths.runnerPidFile);
  removeFile(paths.runnerPidFile);
  if (!record || !isOurs(record)) return undefined;
  await stopProcess(record, 10_000);
  return record.pid;
}
