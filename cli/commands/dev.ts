/**
 * `gauntlet dev up | down | status | logs` — the embedded dev stack (deploy/dev). Errors print one line (no stack
 * trace) and exit non-zero.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DevError } from '../../deploy/dev/errors.js';
import { type DevOptions, type StatusResult, type UpResult, devDown, devLogs, devStatus, devUp } from '../../deploy/dev/stack.js';
import { registerDevClusterCommands } from './devCluster.js';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError(`expected a port number 1-65535, got "${value}"`);
  return n;
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return Number(value);
}

interface CommonFlags {
  stateDir?: string;
}
interface UpFlags extends CommonFlags {
  host?: string;
  temporalPort?: number;
  uiPort?: number;
  minioPort?: number;
  minioConsolePort?: number;
  namespace?: string;
  bucket?: string;
  worker: boolean;
  python?: string;
  json?: boolean;
}

const stateDirOption = () =>
  new Option('--state-dir <dir>', 'state folder: databases, object data, logs, pids (default <repo>/.gauntlet)').env('GAUNTLET_STATE_DIR');

/** Runs an action; a failure becomes one line on stderr and exit code 1. */
function guarded<A extends unknown[]>(name: string, action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`gauntlet dev ${name}: ${message.split('\n')[0]}\n`);
      if (process.env.GAUNTLET_DEBUG && !(error instanceof DevError) && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    }
  };
}

export function registerDevCommands(program: Command): Command {
  const dev = program.command('dev').description('the embedded dev stack: Temporal dev server + Web UI, MinIO, a worker');

  dev
    .command('up')
    .description('start the stack (idempotent: what already runs healthy is left alone) and print its URLs')
    .addOption(stateDirOption())
    .option('--host <ip>', 'address every service binds to (default 127.0.0.1)')
    .option('--temporal-port <port>', 'Temporal gRPC port (default 7233)', port)
    .option('--ui-port <port>', 'Temporal Web UI port (default 8233)', port)
    .option('--minio-port <port>', 'MinIO S3 API port (default 9000)', port)
    .option('--minio-console-port <port>', 'MinIO console port (default 9001)', port)
    .option('--namespace <name>', 'Temporal namespace (default "default")')
    .option('--bucket <name>', 'artifact bucket, created when missing (default "gauntlet")')
    .option('--no-worker', 'do not start a worker')
    .option('--python <path>', 'Python with torch for the trainer (default: detected)')
    .option('--json', 'print the stack description (stack.json) instead of text')
    .action(
      guarded('up', async (flags: UpFlags) => {
        const options: DevOptions = {
          stateDir: flags.stateDir,
          host: flags.host,
          temporalPort: flags.temporalPort,
          uiPort: flags.uiPort,
          minioPort: flags.minioPort,
          minioConsolePort: flags.minioConsolePort,
          namespace: flags.namespace,
          bucket: flags.bucket,
          worker: flags.worker,
          python: flags.python,
        };
        const result = await devUp(options);
        process.stdout.write(flags.json ? `${JSON.stringify(result.stack, null, 2)}\n` : formatUp(result));
      }),
    );

  dev
    .command('down')
    .description('stop what this state folder started (the data stays)')
    .addOption(stateDirOption())
    .action(
      guarded('down', async (flags: CommonFlags) => {
        const result = await devDown({ stateDir: flags.stateDir, log: () => undefined });
        if (result.stopped.length === 0) process.stdout.write(`nothing was running from ${result.stateDir}\n`);
        for (const s of result.stopped) {
          process.stdout.write(`${s.name.padEnd(9)} ${s.how === 'not-running' ? 'was not running' : `stopped (pid ${s.pid}${s.how === 'killed' ? ', killed after the grace period' : ''})`}\n`);
        }
      }),
    );

  dev
    .command('status')
    .description('each service with pid, health and URL (exit code 1 when a service is not running)')
    .addOption(stateDirOption())
    .option('--json', 'print an object')
    .action(
      guarded('status', async (flags: CommonFlags & { json?: boolean }) => {
        const status = await devStatus({ stateDir: flags.stateDir });
        process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
        if (status.services.some((s) => s.state === 'stopped' || s.state === 'unhealthy')) process.exitCode = 1;
      }),
    );

  dev
    .command('logs')
    .description('print the tail of the service logs')
    .argument('[service]', 'temporal, minio or worker (default: all)')
    .addOption(stateDirOption())
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <n>', 'lines of history per service', count, 50)
    .action(
      guarded('logs', async (service: string | undefined, flags: CommonFlags & { follow?: boolean; lines: number }) => {
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        try {
          await devLogs({ stateDir: flags.stateDir, service, follow: flags.follow, lines: flags.lines, signal: abort.signal });
        } finally {
          process.off('SIGINT', stop);
        }
      }),
    );
  registerDevClusterCommands(dev);
  return dev;
}

function formatUp(result: UpResult): string {
  const { stack, actions } = result;
  const lines = [`Gauntlet dev stack is up (${result.seconds.toFixed(1)} s)`];
  for (const name of ['temporal', 'minio', 'worker'] as const) {
    const pid = stack.services[name]?.pid;
    lines.push(`  ${name.padEnd(9)} ${actions[name].padEnd(17)}${pid ? `pid ${pid}` : ''}`);
  }
  lines.push(
    '',
    `  Temporal gRPC   ${stack.urls.temporal}   (namespace ${stack.namespace}, task queue ${stack.taskQueue})`,
    `  Temporal UI     ${stack.urls.ui}`,
    `  MinIO API       ${stack.urls.minio}   (bucket ${stack.bucket})`,
    `  MinIO console   ${stack.urls.minioConsole}   (credentials in ${stack.credentialsFile})`,
    `  State folder    ${stack.stateDir}`,
    '',
  );
  return lines.join('\n');
}

function formatStatus(status: StatusResult): string {
  const lines = [`state folder ${status.stateDir}`];
  for (const s of status.services) {
    const where = Object.values(s.urls).join('  ');
    lines.push(`  ${s.name.padEnd(9)} ${s.state.padEnd(10)} ${(s.pid ? `pid ${s.pid}` : '-').padEnd(11)} ${where}`);
  }
  return `${lines.join('\n')}\n`;
}
