/** `<state>/stack.json`: what `up` started and where to reach it. Read by status/down/logs and by other tools. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { RememberedConfig, ResolvedDevOptions } from './options.js';
import type { StatePaths } from './paths.js';
import type { ServiceName } from './service.js';

export interface StackServiceEntry {
  /** null once stopped. */
  pid: number | null;
  startTime?: number;
  version?: string;
  binary?: string;
  log: string;
}

export interface StackFile {
  schema: 1;
  stateDir: string;
  host: string;
  namespace: string;
  bucket: string;
  taskQueue: string;
  worker: boolean;
  python?: string;
  ports: { temporal: number; ui: number; minio: number; minioConsole: number };
  urls: { temporal: string; ui: string; minio: string; minioConsole: string };
  /** The secret itself is only in this 0600 file, not in stack.json. */
  credentialsFile: string;
  services: Partial<Record<ServiceName, StackServiceEntry>>;
  updatedAt: string;
}

export function readStackFile(paths: StatePaths): StackFile | undefined {
  if (!existsSync(paths.stackFile)) return undefined;
  try {
    return JSON.parse(readFileSync(paths.stackFile, 'utf8')) as StackFile;
  } catch {
    return undefined; // a damaged file is rewritten by the next `up`
  }
}

export function writeStackFile(paths: StatePaths, stack: StackFile): void {
  const tmp = `${paths.stackFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(stack, null, 2)}\n`);
  renameSync(tmp, paths.stackFile); // readers never see half a file
}

export function rememberedConfig(stack: StackFile | undefined): RememberedConfig {
  if (!stack) return {};
  return {
    host: stack.host,
    namespace: stack.namespace,
    bucket: stack.bucket,
    taskQueue: stack.taskQueue,
    ports: stack.ports,
    worker: stack.worker,
  };
}

export function stackUrls(o: ResolvedDevOptions): StackFile['urls'] {
  return {
    temporal: `${o.host}:${o.temporalPort}`,
    ui: `http://${o.host}:${o.uiPort}`,
    minio: `http://${o.host}:${o.minioPort}`,
    minioConsole: `http://${o.host}:${o.minioConsolePort}`,
  };
}
