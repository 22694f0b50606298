/** Options of the dev-stack operations, their defaults, and the dev credentials file. */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DevError } from './errors.js';
import { resolveStateDir, statePaths } from './paths.js';

export interface DevCredentials {
  /** MinIO root user = S3 access key. At least 3 characters. */
  accessKey: string;
  /** MinIO root password = S3 secret key. At least 8 characters. */
  secretKey: string;
}

/** Dev defaults. They live only in `<state>/credentials.env` and the services' environment, never in payloads. */
export const DEV_CREDENTIALS: DevCredentials = { accessKey: 'gauntlet', secretKey: 'gauntlet-dev-secret' };

export interface DevOptions {
  /** State folder: databases, object data, logs, pid files, stack.json. @default `$GAUNTLET_STATE_DIR` or `<repo>/.gauntlet` */
  stateDir?: string;
  /** Address every service binds to. @default '127.0.0.1' */
  host?: string;
  /** Temporal frontend gRPC port. @default 7233 */
  temporalPort?: number;
  /** Temporal Web UI port. @default 8233 */
  uiPort?: number;
  /** MinIO S3 API port. @default 9000 */
  minioPort?: number;
  /** MinIO console port. @default 9001 */
  minioConsolePort?: number;
  /** Temporal namespace the worker uses (created at start-up when not 'default'). @default 'default' */
  namespace?: string;
  /** Artifact bucket, created when missing. @default 'gauntlet' */
  bucket?: string;
  /** Task queue the worker polls. @default 'gauntlet' */
  taskQueue?: string;
  /** MinIO root credentials. @default the ones in `<state>/credentials.env`, else DEV_CREDENTIALS */
  credentials?: DevCredentials;
  /** Start a worker (`node dist/worker/main.js`, local executor). @default true */
  worker?: boolean;
  /** Python for the trainer. @default the first of $GAUNTLET_PYTHON, /usr/bin/python3, python3 that can `import torch` */
  python?: string;
  /** Binary cache root. @default `$GAUNTLET_CACHE_DIR` or `<repo>/.cache` */
  cacheDir?: string;
  /** How long a service may take to become healthy. @default 90000 */
  startTimeoutMs?: number;
  /** SIGTERM → SIGKILL grace period on `down`. @default 15000 */
  stopGraceMs?: number;
  /** Progress lines ("building…", "started…"). @default write to stderr */
  log?: (line: string) => void;
}

export interface ResolvedDevOptions extends Required<Omit<DevOptions, 'python' | 'cacheDir'>> {
  python?: string;
  cacheDir?: string;
}

/** What `up` wrote to stack.json last time: a state folder remembers its ports unless options override them. */
export interface RememberedConfig {
  host?: string;
  namespace?: string;
  bucket?: string;
  taskQueue?: string;
  ports?: { temporal?: number; ui?: number; minio?: number; minioConsole?: number };
  worker?: boolean;
}

export function resolveOptions(options: DevOptions, remembered: RememberedConfig = {}): ResolvedDevOptions {
  const stateDir = resolveStateDir(options.stateDir);
  const resolved: ResolvedDevOptions = {
    stateDir,
    host: options.host ?? remembered.host ?? '127.0.0.1',
    temporalPort: options.temporalPort ?? remembered.ports?.temporal ?? 7233,
    uiPort: options.uiPort ?? remembered.ports?.ui ?? 8233,
    minioPort: options.minioPort ?? remembered.ports?.minio ?? 9000,
    minioConsolePort: options.minioConsolePort ?? remembered.ports?.minioConsole ?? 9001,
    namespace: options.namespace ?? remembered.namespace ?? 'default',
    bucket: options.bucket ?? remembered.bucket ?? 'gauntlet',
    taskQueue: options.taskQueue ?? remembered.taskQueue ?? 'gauntlet',
    credentials: options.credentials ?? readCredentials(stateDir) ?? DEV_CREDENTIALS,
    worker: options.worker ?? true,
    python: options.python,
    cacheDir: options.cacheDir,
    startTimeoutMs: options.startTimeoutMs ?? 90_000,
    stopGraceMs: options.stopGraceMs ?? 15_000,
    log: options.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
  validate(resolved);
  return resolved;
}

function validate(o: ResolvedDevOptions): void {
  const ports: [string, number][] = [
    ['--temporal-port', o.temporalPort],
    ['--ui-port', o.uiPort],
    ['--minio-port', o.minioPort],
    ['--minio-console-port', o.minioConsolePort],
  ];
  for (const [flag, port] of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DevError(`${flag} must be a port number 1-65535 (got ${port})`);
  }
  const seen = new Map<number, string>();
  for (const [flag, port] of ports) {
    const other = seen.get(port);
    if (other) throw new DevError(`${other} and ${flag} are both ${port}: each service needs its own port`);
    seen.set(port, flag);
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(o.bucket)) throw new DevError(`--bucket "${o.bucket}" is not a valid S3 bucket name (3-63 of a-z 0-9 . -)`);
  if (o.credentials.accessKey.length < 3) throw new DevError('the MinIO access key must have at least 3 characters');
  if (o.credentials.secretKey.length < 8) throw new DevError('the MinIO secret key must have at least 8 characters');
}

/** Reads `<state>/credentials.env` (KEY=VALUE lines). */
export function readCredentials(stateDir: string): DevCredentials | undefined {
  const file = statePaths(stateDir).credentialsFile;
  if (!existsSync(file)) return undefined;
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Z_]+)=(.*)$/.exec(line);
    if (match) values[match[1]!] = match[2]!.trim();
  }
  const accessKey = values.GAUNTLET_STORAGE_ACCESS_KEY;
  const secretKey = values.GAUNTLET_STORAGE_SECRET_KEY;
  return accessKey && secretKey ? { accessKey, secretKey } : undefined;
}

/** Writes the credentials file readable by its owner only (0600), so other users on the machine cannot read it. */
export function writeCredentials(stateDir: string, credentials: DevCredentials): string {
  const file = statePaths(stateDir).credentialsFile;
  const text =
    '# Gauntlet dev stack: MinIO root credentials (dev defaults unless you changed them). Source it to talk to MinIO.\n' +
    `GAUNTLET_STORAGE_ACCESS_KEY=${credentials.accessKey}\n` +
    `GAUNTLET_STORAGE_SECRET_KEY=${credentials.secretKey}\n`;
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // mode in writeFileSync applies only when the file is created
  return file;
}
