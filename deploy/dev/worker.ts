/** The Gauntlet worker (`node dist/worker/main.js`), configured through the GAUNTLET_* variables worker/config.ts reads. */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_ENV } from '../../worker/config.js';
import { clusterPaths } from './cluster/paths.js';
import { workerKubeconfigPath } from './cluster/workspace.js';
import { DevError } from './errors.js';
import { runCapture } from './exec.js';
import { minioEndpoint } from './minio.js';
import type { ResolvedDevOptions } from './options.js';
import { repoRoot } from './paths.js';
import type { ServiceDef } from './service.js';
import { temporalAddress } from './temporal.js';

/** The line the worker prints once it polls its task queue. */
export const WORKER_READY_MARKER = 'worker started';

export function workerEntry(): string {
  return join(repoRoot(), 'dist', 'worker', 'main.js');
}

/** Fails fast, before any service starts, when the worker cannot be launched. */
export function checkWorkerEntry(): void {
  if (!existsSync(workerEntry())) {
    throw new DevError(`the worker is not built (${workerEntry()} is missing): run \`npm run build\`, or pass --no-worker`);
  }
}

/**
 * The trainer needs a Python with torch. The pyenv `python3` first on PATH usually has none; Debian's /usr/bin/python3
 * gets it from python3-torch. An explicit choice (option or $GAUNTLET_PYTHON) must work or it is an error.
 */
export async function detectPython(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const chosen = explicit ?? env[WORKER_ENV.python];
  const candidates = chosen ? [chosen] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const probe = await runCapture(python, ['-c', 'import torch'], { timeoutMs: 120_000, env });
    if (probe.code === 0) return python;
    if (chosen) {
      const problem = probe.error?.code === 'ENOENT' ? 'was not found' : 'cannot `import torch`';
      throw new DevError(`python "${chosen}" ${problem}: pass a python that has torch (--python or ${WORKER_ENV.python}), or unset it to detect one`);
    }
  }
  throw new DevError(
    'no Python with torch found (tried /usr/bin/python3, python3): run `apt-get install python3-torch python3-sklearn python3-boto3` ' +
      `or set ${WORKER_ENV.python} to a python that has torch`,
  );
}

/**
 * The worker's environment: everything worker/config.ts reads. The secret travels here, never in a payload. With the
 * local cluster prepared (`dev cluster up` wrote the worker kubeconfig), the worker also runs the kubernetes executor.
 */
export function workerEnv(o: ResolvedDevOptions, python: string): Record<string, string> {
  const kubeconfig = workerKubeconfigPath(clusterPaths(o.stateDir));
  return {
    ...(existsSync(kubeconfig) ? { [WORKER_ENV.kubeconfig]: kubeconfig } : {}),
    [WORKER_ENV.temporalAddress]: temporalAddress(o),
    [WORKER_ENV.namespace]: o.namespace,
    [WORKER_ENV.taskQueue]: o.taskQueue,
    [WORKER_ENV.storageEndpoint]: minioEndpoint(o),
    [WORKER_ENV.storageAccessKey]: o.credentials.accessKey,
    [WORKER_ENV.storageSecretKey]: o.credentials.secretKey,
    [WORKER_ENV.bucket]: o.bucket,
    [WORKER_ENV.stateDir]: o.stateDir,
    [WORKER_ENV.python]: python,
    [WORKER_ENV.uiUrl]: `http://${o.host}:${o.uiPort}`,
  };
}

/** True when the log, from `offset` on (this run's output), contains `marker`. */
export function logContains(file: string, offset: number, marker: string): boolean {
  if (!existsSync(file)) return false;
  const size = statSync(file).size;
  if (size <= offset) return false;
  const length = Math.min(size - offset, 4 * 1024 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8').includes(marker);
}

export const workerService: ServiceDef = {
  name: 'worker',
  ports: () => [],
  async prepare(o) {
    checkWorkerEntry();
    const python = o.python ?? (await detectPython());
    return {
      command: process.execPath,
      args: [workerEntry()],
      cwd: repoRoot(),
      env: { ...process.env, ...workerEnv(o, python) },
    };
  },
  async healthy(_o, paths, record) {
    return logContains(paths.log('worker'), record.logOffset, WORKER_READY_MARKER);
  },
  urls: (o) => ({ taskQueue: o.taskQueue }),
};
