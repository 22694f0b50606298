/** `gauntlet dev logs [service] [--follow] [--lines N]`: the tail of the services' log files. */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { DevError } from './errors.js';
import { resolveStateDir, statePaths } from './paths.js';
import { sleep } from './process.js';
import { SERVICE_NAMES, type ServiceName } from './service.js';

export interface DevLogsOptions {
  /** @default `$GAUNTLET_STATE_DIR` or `<repo>/.gauntlet` */
  stateDir?: string;
  /** One service, or all of them (each line prefixed with `[service]`). @default all */
  service?: string;
  /** Lines of history per service. @default 50 */
  lines?: number;
  /** Keep printing what is appended, until `signal` aborts. @default false */
  follow?: boolean;
  signal?: AbortSignal;
  /** @default process.stdout */
  out?: NodeJS.WritableStream;
}

const TAIL_BYTES = 4 * 1024 * 1024;

export async function devLogs(options: DevLogsOptions = {}): Promise<void> {
  const paths = statePaths(resolveStateDir(options.stateDir));
  const out = options.out ?? process.stdout;
  const lines = options.lines ?? 50;
  if (!Number.isInteger(lines) || lines < 0) throw new DevError(`--lines must be a whole number >= 0 (got ${options.lines})`);
  if (options.service !== undefined && !SERVICE_NAMES.includes(options.service as ServiceName)) {
    throw new DevError(`unknown service "${options.service}": expected one of ${SERVICE_NAMES.join(', ')}`);
  }
  const names = options.service ? [options.service as ServiceName] : [...SERVICE_NAMES];
  const prefix = (name: ServiceName) => (names.length > 1 ? `[${name}] ` : '');
  const files = names.map((name) => ({ name, file: paths.log(name) })).filter(({ file }) => existsSync(file) || options.follow);
  if (files.length === 0) throw new DevError(`no logs in ${paths.logDir}: the stack has not been started there (gauntlet dev up)`);

  const positions = new Map<string, number>();
  for (const { name, file } of files) {
    const size = existsSync(file) ? statSync(file).size : 0;
    const start = Math.max(0, size - TAIL_BYTES);
    const text = readRange(file, start, size);
    const tail = text.split('\n');
    if (tail[tail.length - 1] === '') tail.pop();
    for (const line of tail.slice(Math.max(0, tail.length - lines))) out.write(`${prefix(name)}${line}\n`);
    positions.set(file, size);
  }
  if (!options.follow) return;

  // Follow by polling sizes: simple, and survives a log file that is recreated or truncated.
  const partial = new Map<string, string>();
  while (!options.signal?.aborted) {
    for (const { name, file } of files) {
      if (!existsSync(file)) continue;
      const size = statSync(file).size;
      let pos = positions.get(file) ?? 0;
      if (size < pos) pos = 0; // truncated
      if (size === pos) continue;
      const text = (partial.get(file) ?? '') + readRange(file, pos, size);
      positions.set(file, size);
      const parts = text.split('\n');
      partial.set(file, parts.pop() ?? '');
      for (const line of parts) out.write(`${prefix(name)}${line}\n`);
    }
    await sleep(300);
  }
}

function readRange(file: string, start: number, end: number): string {
  if (end <= start || !existsSync(file)) return '';
  const buffer = Buffer.alloc(end - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}
