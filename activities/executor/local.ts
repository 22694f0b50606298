/**
 * Local executor: runs a job as a child process in its own process group, with its output in files under the
 * state folder. Files, not pipes, so that the process outlives a crashed worker and the next attempt can adopt it
 * (read on from the same file) instead of starting a second copy.
 *
 *   <jobsDir>/<jobId>/job.json      the job document (GAUNTLET_JOB_FILE)
 *                     pid.json      pid + start time of the running launch
 *                     stdout.log    progress lines (appended across launches)
 *                     stderr.log    human logs
 *                     exit_code     written by the wrapper shell when the trainer exits
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProgressLine } from '../../core/progress.js';
import type { Job } from '../../core/spec/job.js';
import { LineReader, tailLines } from './lineReader.js';
import { isAlive, readPidRecord, readProcStat, stopGroup, writePidRecord, type PidRecord } from './processes.js';
import { JobDetachedError, storageRetrySeconds, type ExecutionHooks, type ExecutionOutcome, type ExecutionRequest, type Executor, type TrainerSpec } from './types.js';

export interface LocalExecutorOptions {
  /** Folder holding one sub-folder per job. */
  jobsDir: string;
  /** argv of a trainer. */
  command: (trainer: TrainerSpec) => string[];
  /** Extra environment (storage credentials, PYTHONPATH); the job document is added by the executor. */
  env: Record<string, string>;
  cwd: string;
  /** @default 500 */
  pollMs?: number;
  /** Time between SIGTERM and SIGKILL when a job is cancelled. @default 10000 */
  killGraceMs?: number;
}

/** Exit codes after which a job must not be launched again by a retry: success and bad input. */
const FINAL_EXIT_CODES = new Set([0, 2]);

export class LocalExecutor implements Executor {
  constructor(private readonly options: LocalExecutorOptions) {}

  async run({ job, trainer, env }: ExecutionRequest, hooks: ExecutionHooks): Promise<ExecutionOutcome> {
    const extraEnv = { ...env, GAUNTLET_STORAGE_RETRY_SECONDS: String(storageRetrySeconds(trainer)) };
    const paths = jobPaths(this.options.jobsDir, job.jobId);
    mkdirSync(paths.dir, { recursive: true });

    const running = readPidRecord(paths.pid);
    const finishedExit = readExitCode(paths.exitCode);
    let adopted = false;
    let record: PidRecord;
    if (running && isAlive(running)) {
      // A previous attempt's process is still at work: adopt it, never start a second copy.
      record = running;
      adopted = true;
    } else if (finishedExit !== null && FINAL_EXIT_CODES.has(finishedExit)) {
      // It finished while no worker was watching: its outcome stands, and its events are still news to this attempt.
      for (const line of new LineReader(paths.stdout, hooks.previous?.offset ?? 0).readLines()) {
        const event = parseProgressLine(line);
        if (event) hooks.onEvent(event);
      }
      return { exitCode: finishedExit, stderrTail: tailLines(paths.stderr, 20), adopted: true, launches: running?.launch ?? 1 };
    } else {
      // A relaunch resumes from the newest checkpoint any earlier launch reported.
      const checkpoint = lastCheckpointInLog(paths.stdout) ?? hooks.previous?.lastCheckpoint ?? null;
      const toRun = checkpoint ? hooks.resumeFrom(job, checkpoint) : job;
      record = this.launch(toRun, this.options.command(trainer), paths, (running?.launch ?? 0) + 1, extraEnv);
    }

    const reader = new LineReader(paths.stdout, adopted ? (hooks.previous?.offset ?? 0) : fileSize(paths.stdout));
    let lastCheckpoint = hooks.previous?.lastCheckpoint ?? null;
    const drain = () => {
      for (const line of reader.readLines()) {
        const event = parseProgressLine(line);
        if (!event) continue;
        if (event.event === 'checkpoint') lastCheckpoint = event.uri;
        hooks.onEvent(event);
      }
      hooks.heartbeat({ offset: reader.offset, lastCheckpoint });
    };

    while (isAlive(record)) {
      if (hooks.signal.aborted) {
        if (hooks.isWorkerShutdown()) throw new JobDetachedError(job.jobId);
        await stopGroup(record, this.options.killGraceMs ?? 10_000);
        rmSync(paths.pid, { force: true });
        throw hooks.signal.reason ?? new Error('cancelled');
      }
      drain();
      await sleepOrAbort(this.options.pollMs ?? 500, hooks.signal);
    }
    drain();
    return {
      exitCode: readExitCode(paths.exitCode),
      stderrTail: tailLines(paths.stderr, 20),
      adopted,
      launches: record.launch,
    };
  }

  private launch(job: Job, argv: string[], paths: JobPaths, launch: number, extraEnv: Record<string, string>): PidRecord {
    writeFileSync(paths.job, JSON.stringify(job, null, 2));
    rmSync(paths.exitCode, { force: true });
    const stdout = openSync(paths.stdout, 'a');
    const stderr = openSync(paths.stderr, 'a');
    // The wrapper shell records the exit code in a file, because a later worker cannot wait() on a non-child.
    const script = '"$@"; code=$?; echo $code > "$GAUNTLET_EXIT_FILE.tmp" && mv "$GAUNTLET_EXIT_FILE.tmp" "$GAUNTLET_EXIT_FILE"';
    const child = spawn('/bin/sh', ['-c', script, `gauntlet-job-${job.jobId}`, ...argv], {
      cwd: this.options.cwd,
      detached: true,
      stdio: ['ignore', stdout, stderr],
      env: { ...process.env, ...this.options.env, ...extraEnv, GAUNTLET_JOB_FILE: paths.job, GAUNTLET_EXIT_FILE: paths.exitCode },
    });
    closeSync(stdout);
    closeSync(stderr);
    child.unref();
    const pid = child.pid;
    const stat = pid === undefined ? null : readProcStat(pid);
    if (pid === undefined || stat === null) throw new Error(`could not start ${argv.join(' ')}`);
    const record: PidRecord = { pid, startTime: stat.startTime, launchedAt: new Date().toISOString(), launch };
    writePidRecord(paths.pid, record);
    return record;
  }
}

interface JobPaths {
  dir: string;
  job: string;
  pid: string;
  stdout: string;
  stderr: string;
  exitCode: string;
}

export function jobPaths(jobsDir: string, jobId: string): JobPaths {
  const dir = join(jobsDir, jobId);
  return {
    dir,
    job: join(dir, 'job.json'),
    pid: join(dir, 'pid.json'),
    stdout: join(dir, 'stdout.log'),
    stderr: join(dir, 'stderr.log'),
    exitCode: join(dir, 'exit_code'),
  };
}

function readExitCode(path: string): number | null {
  if (!existsSync(path)) return null;
  const code = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
  return Number.isNaN(code) ? null : code;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The last checkpoint a trainer reported in this job's output, across all its launches. */
function lastCheckpointInLog(path: string): string | null {
  let last: string | null = null;
  for (const line of new LineReader(path).readLines()) {
    const event = parseProgressLine(line);
    if (event?.event === 'checkpoint') last = event.uri;
  }
  return last;
}

function sleepOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
