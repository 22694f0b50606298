/**
 * A throw-away dev stack for integration tests: free ports, a temp state folder, real Temporal and MinIO processes.
 *
 *   const stack = await startTestStack();            // worker: false by default (tests usually run their own Worker)
 *   const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
 *   ...
 *   await stack.stop();                              // stops the processes and deletes the state folder
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WorkerConfig, loadWorkerConfig } from '../../worker/config.js';
import { DevError } from './errors.js';
import { freePorts } from './net.js';
import { DEV_CREDENTIALS } from './options.js';
import { statePaths } from './paths.js';
import { isOurs, readPidFile } from './process.js';
import { SERVICE_NAMES } from './service.js';
import { type StackFile, devDown, devUp } from './stack.js';

export interface TestStackOptions {
  /** Also start the worker (`dist/worker/main.js`, needs a Python with torch). @default false */
  worker?: boolean;
  /** @default 'default' */
  namespace?: string;
  /** Keep the state folder after stop() (or set GAUNTLET_KEEP_TEST_STATE=1), to read its logs. @default false */
  keepState?: boolean;
  /** Python for the trainer; with worker: true it is detected when omitted. */
  python?: string;
}

export interface TestStack {
  stateDir: string;
  host: string;
  namespace: string;
  taskQueue: string;
  bucket: string;
  /** host:port of the Temporal frontend. */
  temporalAddress: string;
  uiUrl: string;
  ports: StackFile['ports'];
  storage: { endpoint: string; accessKey: string; secretKey: string; bucket: string; region: string };
  /** The GAUNTLET_* variables a worker (or a trainer) would get for this stack. */
  env: Record<string, string>;
  /** The worker config for this stack, as worker/config.ts would load it from `env`. */
  config: WorkerConfig;
  /** stack.json as written by `up` (binaries, versions, pids, logs). */
  stack: StackFile;
  stop(): Promise<void>;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gauntlet-stack-'));
  const keep = options.keepState || process.env.GAUNTLET_KEEP_TEST_STATE === '1';
  let stopped = false;
  // If the test process dies without stop(), do not leave servers behind: SIGKILL their groups on exit.
  const killOnExit = () => {
    for (const name of SERVICE_NAMES) {
      const record = readPidFile(statePaths(stateDir).pidFile(name));
      if (isOurs(record)) {
        try {
          process.kill(-record.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    try {
      await devDown({ stateDir, log: () => undefined, stopGraceMs: 10_000 });
    } finally {
      if (!keep) rmSync(stateDir, { recursive: true, force: true });
    }
  };

  try {
    const up = await upOnFreePorts(stateDir, options);
    const { stack } = up;
    const credentials = { ...DEV_CREDENTIALS }; // a fresh state folder gets the dev defaults
    const env: Record<string, string> = {
      GAUNTLET_TEMPORAL_ADDRESS: stack.urls.temporal,
      GAUNTLET_NAMESPACE: stack.namespace,
      GAUNTLET_TASK_QUEUE: stack.taskQueue,
      GAUNTLET_STORAGE_ENDPOINT: stack.urls.minio,
      GAUNTLET_STORAGE_ACCESS_KEY: credentials.accessKey,
      GAUNTLET_STORAGE_SECRET_KEY: credentials.secretKey,
      GAUNTLET_BUCKET: stack.bucket,
      GAUNTLET_STATE_DIR: stateDir,
      GAUNTLET_UI_URL: stack.urls.ui,
      ...(stack.python || options.python ? { GAUNTLET_PYTHON: (stack.python ?? options.python)! } : {}),
    };
    const config = loadWorkerConfig(env);
    return {
      stateDir,
      host: stack.host,
      namespace: stack.namespace,
      taskQueue: stack.taskQueue,
      bucket: stack.bucket,
      temporalAddress: stack.urls.temporal,
      uiUrl: stack.urls.ui,
      ports: stack.ports,
      storage: { endpoint: stack.urls.minio, ...credentials, bucket: stack.bucket, region: config.storageRegion },
      env,
      config,
      stack,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Free ports can be taken between choosing and binding them (parallel tests): try again with new ones. */
async function upOnFreePorts(stateDir: string, options: TestStackOptions) {
  for (let attempt = 1; ; attempt++) {
    const [temporalPort, uiPort, minioPort, minioConsolePort] = (await freePorts(4)) as [number, number, number, number];
    try {
      return await devUp({
        stateDir,
        temporalPort,
        uiPort,
        minioPort,
        minioConsolePort,
        namespace: options.namespace,
        worker: options.worker ?? false,
        python: options.python,
        // Only the slow first-run lines ("building temporal…"), so a test that seems stuck says why.
        log: (line) => {
          if (/^(building|built|waiting)/.test(line)) process.stderr.write(`${line}\n`);
        },
      });
    } catch (error) {
      if (attempt < 3 && error instanceof DevError && /is in use by another process/.test(error.message)) continue;
      throw error;
    }
  }
}
