/** Where the dev stack keeps its files: the repo root, the binary cache and the state folder. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The repository root: the nearest folder above this file whose package.json is Gauntlet's. Walking up (instead of a
 * fixed `../..`) works from both `deploy/dev/*.ts` and the compiled `dist/deploy/dev/*.js`.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'gauntlet') return (cachedRoot = dir);
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the gauntlet repository root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Root of the version-keyed binary cache: `$GAUNTLET_CACHE_DIR` or `<repo>/.cache` (git-ignored). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.GAUNTLET_CACHE_DIR || join(repoRoot(), '.cache'));
}

/** Default state folder: `$GAUNTLET_STATE_DIR` or `<repo>/.gauntlet` (git-ignored). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.GAUNTLET_STATE_DIR || join(repoRoot(), '.gauntlet'));
}

/** The state folder to use: the option (made absolute: services and the worker run with other working folders) or the default. */
export function resolveStateDir(option?: string): string {
  return option ? resolve(option) : defaultStateDir();
}

/** The files inside one state folder. */
export function statePaths(stateDir: string) {
  return {
    stateDir,
    stackFile: join(stateDir, 'stack.json'),
    credentialsFile: join(stateDir, 'credentials.env'),
    logDir: join(stateDir, 'logs'),
    runDir: join(stateDir, 'run'),
    temporalDir: join(stateDir, 'temporal'),
    temporalDb: join(stateDir, 'temporal', 'temporal.db'),
    minioData: join(stateDir, 'minio', 'data'),
    log: (service: string) => join(stateDir, 'logs', `${service}.log`),
    pidFile: (service: string) => join(stateDir, 'run', `${service}.pid`),
  };
}
export type StatePaths = ReturnType<typeof statePaths>;
