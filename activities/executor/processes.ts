/**
 * Process identity that survives a worker crash: a pid file records the pid AND the process start time, so a new
 * worker can tell "my job's process is still running" from "some unrelated process got the same pid".
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const PidRecord = z.strictObject({
  pid: z.number().int().positive(),
  startTime: z.string(),
  launchedAt: z.string(),
  launch: z.number().int().min(1),
});
export type PidRecord = z.infer<typeof PidRecord>;

interface ProcStat {
  state: string;
  startTime: string;
}

/** Fields 3 (state) and 22 (start time in clock ticks) of /proc/<pid>/stat; null when the process is gone. */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: split after its closing parenthesis.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const startTime = rest[19];
  if (state === undefined || startTime === undefined) return null;
  return { state, startTime };
}

/** Alive and the same process: not a zombie, and its start time matches the record. */
export function isAlive(record: Pick<PidRecord, 'pid' | 'startTime'>): boolean {
  const stat = readProcStat(record.pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTime === record.startTime;
}

export function readPidRecord(path: string): PidRecord | null {
  try {
    return PidRecord.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return null;
  }
}

export function writePidRecord(path: string, record: PidRecord): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(record));
  // rename is atomic: a reader never sees half a record.
  renameSync(tmp, path);
}

/** Signals the whole process group (the shell wrapper and everything the trainer started). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function stopGroup(record: Pick<PidRecord, 'pid' | 'startTime'>, graceMs: number): Promise<void> {
  if (!isAlive(record)) return;
  signalGroup(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(100);
    if (!isAlive(record)) return;
  }
  signalGroup(record.pid, 'SIGKILL');
  while (isAlive(record)) await sleep(50);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
