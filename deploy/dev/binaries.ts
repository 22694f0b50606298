/**
 * The Go programs the dev stack (and its local Kubernetes cluster) runs, built from pinned Go modules (GitHub release downloads are not reachable
 * here) into a version-keyed, git-ignored cache: `<cache>/bin/<name>-<version>/<name>`. A second run costs nothing.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DevError } from './errors.js';
import { runCapture } from './exec.js';
import { withLock } from './lock.js';
import { CLUSTER_BINARIES, type ClusterBinaryName } from './cluster/versions.js';
import { cacheRoot, repoRoot } from './paths.js';
import type { BinarySpec } from './binarySpec.js';

export type BinaryName = 'temporal' | 'minio' | 'helm' | ClusterBinaryName;

export type { BinarySpec };

/**
 * MinIO: the pin `RELEASE.2025-10-15T17-29-55Z` (commit 9e49d5e7a648, pseudo-version
 * v0.0.0-20251015172955-9e49d5e7a648) is NOT served by the Go module proxy reachable here (403 "not available", for
 * the tag, the commit and the pseudo-version alike). The proxy serves exactly one version: the final commit of the
 * archived repository (2026-02-12, 7aac2a2c5b7c), which includes that release. A plain `go install` labels the binary
 * DEVELOPMENT.GOGET, so the ldflags stamp the version the way MinIO's own buildscripts/gen-ldflags.go does.
 */
const MINIO_MODULE_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';
const MINIO_TAG = 'DEVELOPMENT.2026-02-12T20-18-48Z';

/** Helm, for charts/gauntlet and its tests. Its go.mod has no replace lines, so a plain `go install` builds it. */
const HELM_VERSION = 'v4.3.2';

export const BINARIES: Record<BinaryName, BinarySpec> = {
  temporal: {
    version: '1.5.1',
    installTarget: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
    ldflags: '-s -w -X github.com/temporalio/cli/temporalcli.Version=1.5.1',
    goVersion: '1.25',
    buildMinutes: 5,
    matches: (out) => /^temporal version 1\.5\.1\b/m.test(out),
  },
  minio: {
    version: MINIO_TAG,
    installTarget: `github.com/minio/minio@${MINIO_MODULE_VERSION}`,
    ldflags: [
      '-s -w',
      '-X github.com/minio/minio/cmd.Version=2026-02-12T20:18:48Z',
      `-X github.com/minio/minio/cmd.ReleaseTag=${MINIO_TAG}`,
      '-X github.com/minio/minio/cmd.CommitID=7aac2a2c5b7c',
      '-X github.com/minio/minio/cmd.ShortCommitID=7aac2a2c5b7c',
      '-X github.com/minio/minio/cmd.CopyrightYear=2026',
    ].join(' '),
    goVersion: '1.24',
    buildMinutes: 8,
    matches: (out) => out.includes(`version ${MINIO_TAG}`),
  },
  helm: {
    version: HELM_VERSION.slice(1),
    installTarget: `helm.sh/helm/v4/cmd/helm@${HELM_VERSION}`,
    // Without the -X a module build reports the source default ("v4.3"); Helm's Makefile stamps the same variables.
    ldflags: `-s -w -X helm.sh/helm/v4/internal/version.version=${HELM_VERSION} -X helm.sh/helm/v4/internal/version.gitTreeState=clean`,
    versionArgs: ['version', '--short'],
    goVersion: '1.26',
    buildMinutes: 4,
    matches: (out) => new RegExp(`^${HELM_VERSION.replace(/\./g, '\\.')}\\b`, 'm').test(out),
  },
  ...CLUSTER_BINARIES,
};

/** Named sets for prebuild: `dev` is what `gauntlet dev up` needs, `cluster` what `gauntlet dev cluster up` needs. */
export const BINARY_GROUPS: Record<'dev' | 'cluster', BinaryName[]> = {
  dev: ['temporal', 'minio'],
  cluster: Object.keys(CLUSTER_BINARIES) as ClusterBinaryName[],
};

export interface EnsureBinaryOptions {
  /** Cache root (the binary lands in `<cacheDir>/bin/<name>-<version>/`). @default `$GAUNTLET_CACHE_DIR` or `<repo>/.cache` */
  cacheDir?: string;
  /** Use a binary already on PATH when its `--version` matches the pin. @default true */
  preferPath?: boolean;
  /** Where progress lines go. @default one line to stderr */
  log?: (line: string) => void;
  /** Environment for `go` and the PATH lookup. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Where the cached binary of `name` lives (whether or not it is built yet). */
export function cachedBinaryPath(name: BinaryName, cacheDir?: string): string {
  const root = cacheDir ?? cacheRoot();
  return join(root, 'bin', `${name}-${BINARIES[name].version}`, name);
}

/** Absolute path of a binary matching the pin: from PATH, else the cache, else built now with `go install`. */
export async function ensureBinary(name: BinaryName, opts: EnsureBinaryOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cached = cachedBinaryPath(name, opts.cacheDir ?? cacheRoot(env));
  if (opts.preferPath ?? true) {
    const onPath = await findOnPath(name, env, cached);
    if (onPath) return onPath;
  }
  if (isExecutable(cached)) return cached;
  // One build at a time per binary: a CLI `dev up` and a test may race.
  mkdirSync(join(cached, '..'), { recursive: true });
  return withLock(`${cached}.lock`, (owner) => log(`waiting for another build of ${name} (pid ${owner})…`), async () => {
    if (isExecutable(cached)) return cached; // another process built it while we waited
    await build(name, cached, env, log);
    return cached;
  });
}

/** The first `name` on PATH whose --version fits the pin (skipping the cache copy itself). */
async function findOnPath(name: BinaryName, env: NodeJS.ProcessEnv, cached: string): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (!isExecutable(candidate)) continue;
    const real = realpathSync(candidate);
    if (real === cached) return real;
    const probe = await runCapture(real, BINARIES[name].versionArgs ?? ['--version'], { timeoutMs: 15_000, env });
    if (probe.code === 0 && BINARIES[name].matches(probe.stdout + probe.stderr)) return real;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * `go install` (or `go build` in the wrapper module) into a private folder, then rename into the cache: an
 * interrupted build never leaves a half binary.
 */
async function build(name: BinaryName, target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const spec = BINARIES[name];
  const goProbe = await runCapture('go', ['version'], { timeoutMs: 60_000, env });
  if (goProbe.error?.code === 'ENOENT') {
    throw new DevError(
      `building ${name} ${spec.version} needs the Go toolchain (go >= ${spec.goVersion}) and \`go\` is not on PATH: ` +
        `install Go from https://go.dev/dl/ and add its bin folder to PATH, or put a ${name} ${spec.version} binary on PATH`,
    );
  }
  const binRoot = join(target, '..', '..');
  const tmpBin = join(binRoot, `.build-${name}-${process.pid}`);
  const buildLog = `${join(target, '..')}.build.log`;
  rmSync(tmpBin, { recursive: true, force: true });
  mkdirSync(tmpBin, { recursive: true });
  const how = spec.wrapperModule ? `go build in ${spec.wrapperModule}` : 'go install';
  log(`building ${name} ${spec.version} with ${how} (first run only, ~${spec.buildMinutes} min; log: ${buildLog})…`);
  const started = Date.now();
  // -mod=readonly: the wrapper's go.sum pins every hash; a build never rewrites it.
  const args = spec.wrapperModule
    ? ['build', '-mod=readonly', '-ldflags', spec.ldflags, '-o', join(tmpBin, name), spec.installTarget]
    : ['install', '-ldflags', spec.ldflags, spec.installTarget];
  const logFd = openSync(buildLog, 'w');
  const code = await new Promise<number | null>((resolveCode, reject) => {
    const child = spawn('go', args, {
      env: { ...env, GOBIN: tmpBin, CGO_ENABLED: '0' },
      cwd: spec.wrapperModule ? join(repoRoot(), spec.wrapperModule) : undefined,
      stdio: ['ignore', logFd, logFd],
    });
    child.on('error', reject);
    child.on('close', resolveCode);
  }).finally(() => closeSync(logFd));
  const built = join(tmpBin, name);
  if (code !== 0 || !existsSync(built)) {
    rmSync(tmpBin, { recursive: true, force: true });
    const tail = readFileSafe(buildLog).split('\n').filter(Boolean).slice(-1)[0] ?? '';
    const hint = /not available|403|410/.test(tail)
      ? ' (the Go module proxy does not serve this version: check GOPROXY)'
      : '';
    throw new DevError(`building ${name} failed (go ${args.join(' ')} exited ${code}): ${tail}${hint}; full log: ${buildLog}`);
  }
  renameSync(built, target);
  rmSync(tmpBin, { recursive: true, force: true });
  log(`built ${name} ${spec.version} in ${((Date.now() - started) / 1000).toFixed(0)} s → ${target}`);
}
