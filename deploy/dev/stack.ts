/**
 * `gauntlet dev up | down | status | logs`: the embedded stack (Temporal dev server + UI, MinIO, a worker) as detached
 * processes owned by one state folder. `up` is idempotent; `down` stops only what that state folder started.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DevError } from './errors.js';
import { withLock } from './lock.js';
import { minioService } from './minio.js';
import { portInUse, waitUntil } from './net.js';
import { type DevOptions, type ResolvedDevOptions, resolveOptions, writeCredentials } from './options.js';
import { type StatePaths, resolveStateDir, statePaths } from './paths.js';
import { type PidRecord, isOurs, readPidFile, removeFile, sleep, spawnDetached, stopProcess } from './process.js';
import { SERVICE_NAMES, type LaunchSpec, type ServiceDef, type ServiceName } from './service.js';
import { type StackFile, readStackFile, rememberedConfig, stackUrls, writeStackFile } from './stackFile.js';
import { temporalService } from './temporal.js';
import { checkWorkerEntry, detectPython, workerService } from './worker.js';

export { devLogs, type DevLogsOptions } from './logs.js';
export type { DevOptions } from './options.js';
export type { StackFile } from './stackFile.js';

const SERVICES: Record<ServiceName, ServiceDef> = { temporal: temporalService, minio: minioService, worker: workerService };
/** The worker must be seen alive this long after its start (a crash right after the banner counts as a failure). */
const WORKER_SETTLE_MS = 2000;

export type UpAction = 'started' | 'already running' | 'disabled';
export interface UpResult {
  stack: StackFile;
  actions: Record<ServiceName, UpAction>;
  seconds: number;
}

/** Starts what is not running yet, waits until everything is healthy, and describes the stack. */
export async function devUp(options: DevOptions = {}): Promise<UpResult> {
  const began = Date.now();
  const stateDir = resolveStateDir(options.stateDir);
  const paths = statePaths(stateDir);
  mkdirSync(paths.runDir, { recursive: true });
  return withStateLock(paths, options, () => up(options, paths, began));
}

/** One `up`/`down` at a time per state folder: two at once would both start (or stop) the same services. */
function withStateLock<T>(paths: StatePaths, options: DevOptions, fn: () => Promise<T>): Promise<T> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return withLock(join(paths.runDir, 'stack.lock'), (owner) => log(`waiting for gauntlet pid ${owner} (up/down on ${paths.stateDir})…`), fn);
}

async function up(options: DevOptions, paths: StatePaths, began: number): Promise<UpResult> {
  const stateDir = paths.stateDir;
  const previous = readStackFile(paths);
  const o = resolveOptions({ ...options, stateDir }, rememberedConfig(previous));
  for (const dir of [o.stateDir, paths.logDir, paths.runDir]) mkdirSync(dir, { recursive: true });
  writeCredentials(o.stateDir, o.credentials);

  const infra: ServiceName[] = ['temporal', 'minio'];
  const running = new Map<ServiceName, PidRecord>();
  for (const name of [...infra, 'worker'] as ServiceName[]) {
    const record = readPidFile(paths.pidFile(name));
    if (isOurs(record)) running.set(name, record);
    else removeFile(paths.pidFile(name)); // stale: the process is gone (or the pid was reused)
  }
  // Fail fast, before anything starts or builds: worker prerequisites (torch import: ~1-2 s, so only when needed).
  if (o.worker && !running.has('worker')) {
    checkWorkerEntry();
    o.python = await detectPython(o.python);
  } else if (running.has('worker')) {
    o.python ??= previous?.python;
  }
  checkPortsUnchanged(o, previous, running);
  for (const name of infra) if (!running.has(name)) await checkPortsFree(SERVICES[name], o);

  const actions: Record<ServiceName, UpAction> = {
    temporal: 'already running',
    minio: 'already running',
    worker: o.worker || running.has('worker') ? 'already running' : 'disabled',
  };
  const launched: { name: ServiceName; spec: LaunchSpec; record: PidRecord }[] = [];
  const versions: Partial<Record<ServiceName, LaunchSpec>> = {};
  try {
    // Binaries one at a time (a first run builds them; two Go builds at once only slow each other down).
    const specs = new Map<ServiceName, LaunchSpec>();
    for (const name of infra) {
      if (running.has(name)) continue;
      const spec = await SERVICES[name].prepare(o, paths);
      versions[name] = spec;
      specs.set(name, spec);
    }
    for (const [name, spec] of specs) {
      const record = launch(name, spec, paths);
      launched.push({ name, spec, record });
      running.set(name, record);
      actions[name] = 'started';
    }
    await Promise.all(infra.map((name) => waitHealthy(SERVICES[name], o, paths, running.get(name)!)));
    for (const name of infra) await SERVICES[name].configure?.(o, paths);

    if (o.worker) {
      if (!running.has('worker')) {
        const spec = await workerService.prepare(o, paths);
        const record = launch('worker', spec, paths);
        launched.push({ name: 'worker', spec, record });
        running.set('worker', record);
        actions.worker = 'started';
      }
      await waitHealthy(workerService, o, paths, running.get('worker')!);
    }
  } catch (error) {
    // A failed `up` leaves nothing new behind: stop what this call started (not what was already running).
    for (const { name, record } of launched.reverse()) {
      await stopProcess(record, o.stopGraceMs);
      removeFile(paths.pidFile(name));
    }
    throw error;
  }

  const stack: StackFile = {
    schema: 1,
    stateDir: o.stateDir,
    host: o.host,
    namespace: o.namespace,
    bucket: o.bucket,
    taskQueue: o.taskQueue,
    worker: o.worker,
    python: o.python,
    ports: { temporal: o.temporalPort, ui: o.uiPort, minio: o.minioPort, minioConsole: o.minioConsolePort },
    urls: stackUrls(o),
    credentialsFile: paths.credentialsFile,
    services: {},
    updatedAt: new Date().toISOString(),
  };
  for (const name of SERVICE_NAMES) {
    const record = running.get(name);
    if (!record) continue;
    stack.services[name] = {
      pid: record.pid,
      startTime: record.startTime,
      version: versions[name]?.version ?? previous?.services[name]?.version,
      binary: record.command[0],
      log: paths.log(name),
    };
  }
  writeStackFile(paths, stack);
  return { stack, actions, seconds: (Date.now() - began) / 1000 };
}

export type WorkerRestart = 'restarted' | 'not running';

/**
 * Restarts the stack's worker, if it runs, so that it reads its environment again (`dev cluster up` / `down` attach
 * the worker to the local cluster or detach it). SIGTERM first: running jobs are left for the new worker to adopt.
 */
export async function devRestartWorker(options: DevOptions = {}): Promise<WorkerRestart> {
  const stateDir = resolveStateDir(options.stateDir);
  const paths = statePaths(stateDir);
  if (!existsSync(paths.runDir)) return 'not running';
  return withStateLock(paths, options, async () => {
    const stack = readStackFile(paths);
    const record = readPidFile(paths.pidFile('worker'));
    if (!stack || !isOurs(record)) return 'not running';
    const o = resolveOptions({ ...options, stateDir }, rememberedConfig(stack));
    o.python ??= stack.python;
    await stopProcess(record, o.stopGraceMs);
    removeFile(paths.pidFile('worker'));
    const spec = await workerService.prepare(o, paths);
    const started = launch('worker', spec, paths);
    await waitHealthy(workerService, o, paths, started);
    stack.services.worker = { pid: started.pid, startTime: started.startTime, version: stack.services.worker?.version, binary: started.command[0], log: paths.log('worker') };
    stack.updatedAt = new Date().toISOString();
    writeStackFile(paths, stack);
    return 'restarted';
  });
}

/** A running service keeps its ports: changing them needs a `down` first. */
function checkPortsUnchanged(o: ResolvedDevOptions, previous: StackFile | undefined, running: Map<ServiceName, PidRecord>): void {
  if (!previous) return;
  const now = { temporal: o.temporalPort, ui: o.uiPort, minio: o.minioPort, minioConsole: o.minioConsolePort };
  const owner = { temporal: 'temporal', ui: 'temporal', minio: 'minio', minioConsole: 'minio' } as const;
  for (const key of Object.keys(now) as (keyof typeof now)[]) {
    if (running.has(owner[key]) && previous.ports[key] !== now[key]) {
      throw new DevError(
        `${owner[key]} is already running from ${o.stateDir} with ${key} port ${previous.ports[key]}, not ${now[key]}: ` +
          'run `gauntlet dev down` first to change ports',
      );
    }
  }
}

async function checkPortsFree(service: ServiceDef, o: ResolvedDevOptions): Promise<void> {
  for (const { port, flag } of service.ports(o)) {
    if (await portInUse(o.host, port)) {
      throw new DevError(`port ${port} is in use by another process (not started by gauntlet); stop it or pass ${flag}`);
    }
  }
}

function launch(name: ServiceName, spec: LaunchSpec, paths: StatePaths): PidRecord {
  return spawnDetached({ ...spec, logFile: paths.log(name), pidFile: paths.pidFile(name) });
}

/** Waits for a service's health probe; fails early with the log's last line when the process dies. */
async function waitHealthy(service: ServiceDef, o: ResolvedDevOptions, paths: StatePaths, record: PidRecord): Promise<void> {
  let died = false;
  const ok = await waitUntil(async () => {
    if (!isOurs(record)) return (died = true);
    return service.healthy(o, paths, record);
  }, o.startTimeoutMs);
  if (ok && !died && service.name === 'worker') {
    const settle = Date.parse(record.startedAt) + WORKER_SETTLE_MS - Date.now();
    if (settle > 0) await sleep(settle);
    died = !isOurs(record);
  }
  const log = paths.log(service.name);
  if (died) throw new DevError(`${service.name} exited during start-up: ${lastLogLine(log, record.logOffset)} (log: ${log})`);
  if (!ok) {
    throw new DevError(
      `${service.name} (pid ${record.pid}) is not healthy after ${Math.round(o.startTimeoutMs / 1000)} s: see ${log}; ` +
        'then `gauntlet dev down` and `up` again',
    );
  }
}

function lastLogLine(file: string, offset: number): string {
  if (!existsSync(file)) return '(no log)';
  const text = readFileSync(file).subarray(offset).toString('utf8');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('--- '));
  return lines.slice(-1)[0]?.slice(0, 300) ?? '(empty log)';
}

export type ServiceState = 'running' | 'unhealthy' | 'stopped' | 'disabled';
export interface ServiceStatus {
  name: ServiceName;
  state: ServiceState;
  pid: number | null;
  urls: Record<string, string>;
  log: string;
}
export interface StatusResult {
  stateDir: string;
  services: ServiceStatus[];
  urls: StackFile['urls'];
  credentialsFile: string;
}

/** Each service's pid, health and URLs, read from the state folder (the ports `up` used). */
export async function devStatus(options: DevOptions = {}): Promise<StatusResult> {
  const stateDir = resolveStateDir(options.stateDir);
  const paths = statePaths(stateDir);
  const stack = readStackFile(paths);
  const o = resolveOptions({ ...options, stateDir }, rememberedConfig(stack));
  const services = await Promise.all(
    SERVICE_NAMES.map(async (name): Promise<ServiceStatus> => {
      const record = readPidFile(paths.pidFile(name));
      const service = SERVICES[name];
      const base = { name, urls: service.urls(o), log: paths.log(name) };
      if (!isOurs(record)) {
        const disabled = name === 'worker' && stack !== undefined && !stack.worker;
        return { ...base, state: disabled ? 'disabled' : 'stopped', pid: null };
      }
      const healthy = await service.healthy(o, paths, record).catch(() => false);
      return { ...base, state: healthy ? 'running' : 'unhealthy', pid: record.pid };
    }),
  );
  return { stateDir, services, urls: stackUrls(o), credentialsFile: paths.credentialsFile };
}

export interface DownResult {
  stateDir: string;
  stopped: { name: ServiceName; pid: number; how: 'terminated' | 'killed' | 'not-running' }[];
}

/** Stops what this state folder started (worker first, so it does not log connection errors), keeps the data. */
export async function devDown(options: DevOptions = {}): Promise<DownResult> {
  const stateDir = resolveStateDir(options.stateDir);
  const paths = statePaths(stateDir);
  if (!existsSync(paths.runDir)) return { stateDir, stopped: [] };
  return withStateLock(paths, options, () => down(options, paths));
}

async function down(options: DevOptions, paths: StatePaths): Promise<DownResult> {
  const stateDir = paths.stateDir;
  const stack = readStackFile(paths);
  const o = resolveOptions({ ...options, stateDir }, rememberedConfig(stack));
  const stopped: DownResult['stopped'] = [];
  const stop = async (name: ServiceName) => {
    const record = readPidFile(paths.pidFile(name));
    if (record) {
      stopped.push({ name, pid: record.pid, how: await stopProcess(record, o.stopGraceMs) });
      o.log(`stopped ${name} (pid ${record.pid})`);
    }
    removeFile(paths.pidFile(name));
  };
  await stop('worker');
  await Promise.all([stop('temporal'), stop('minio')]);
  if (stack) {
    for (const entry of Object.values(stack.services)) if (entry) entry.pid = null;
    stack.updatedAt = new Date().toISOString();
    writeStackFile(paths, stack);
  }
  return { stateDir, stopped };
}
