/**
 * Detached service processes and their pid files. A pid file stores the pid AND the process start time from
 * /proc/<pid>/stat, so a pid reused by an unrelated process is never mistaken for (or killed as) our service.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PidRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): unique together with the pid. */
  startTime: number;
  command: string[];
  startedAt: string;
  /** Size of the log file before this run: the run's own output starts there. */
  logOffset: number;
}

/** Start time of a live (non-zombie) process, or undefined when there is none. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined; // exited, not yet reaped
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

export function readPidFile(path: string): PidRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as PidRecord;
    return Number.isInteger(record.pid) && record.pid > 0 ? record : undefined;
  } catch {
    return undefined;
  }
}

/** True when the pid file's process is still the one we started. */
export function isOurs(record: PidRecord | undefined): record is PidRecord {
  return record !== undefined && processStartTime(record.pid) === record.startTime;
}

/**
 * Spawns `command` in its own process group (detached) with stdout/stderr appended to `logFile`, writes the pid file,
 * and lets this process exit without waiting for it.
 */
export function spawnDetached(opts: {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  pidFile: string;
}): PidRecord {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  mkdirSync(dirname(opts.pidFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  const logOffset = fstatSync(fd).size;
  try {
    writeFileSync(fd, `\n--- ${new Date().toISOString()} gauntlet: starting ${[opts.command, ...opts.args].join(' ')}\n`);
    const child = spawn(opts.command, opts.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env,
      cwd: opts.cwd,
    });
    if (child.pid === undefined) throw new Error(`could not start ${opts.command}`);
    // Detached children must not keep `gauntlet dev up` alive, but an async spawn error must not crash it either.
    child.on('error', () => undefined);
    child.unref();
    const record: PidRecord = {
      pid: child.pid,
      startTime: processStartTime(child.pid) ?? 0,
      command: [opts.command, ...opts.args],
      startedAt: new Date().toISOString(),
      logOffset,
    };
    writeFileSync(opts.pidFile, `${JSON.stringify(record)}\n`);
    return record;
  } finally {
    closeSync(fd);
  }
}

/**
 * Stops the process group of a pid record: SIGTERM, then SIGKILL after `graceMs`. Only when the pid still belongs to
 * the process we started. Returns how it ended.
 */
export async function stopProcess(record: PidRecord, graceMs: number): Promise<'not-running' | 'terminated' | 'killed'> {
  if (!isOurs(record)) return 'not-running';
  signalGroup(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(record)) return 'terminated';
    await sleep(100);
  }
  signalGroup(record.pid, 'SIGKILL');
  for (let i = 0; i < 50 && isOurs(record); i++) await sleep(100);
  return 'killed';
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // the whole group: a service's own children go too
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function removeFile(path: string): void {
  if (existsSync(path)) rmSync(path, { force: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
