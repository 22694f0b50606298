/** The worker's own side effects at start-up: code version, built-in data sets, clients. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client as MinioClient } from 'minio';
import type { CodeVersion } from '../activities/types.js';
import type { WorkerConfig } from './config.js';
import { trainerBaseEnv } from './trainerCommand.js';

const run = promisify(execFile);

export async function readCodeVersion(repoRoot: string): Promise<CodeVersion> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string };
  try {
    const commit = (await run('git', ['rev-parse', 'HEAD'], { cwd: repoRoot })).stdout.trim();
    const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot })).stdout.trim() !== '';
    return { gauntlet: pkg.version ?? '0.0.0', gitCommit: commit, gitDirty: dirty, trainerSha256: trainerCodeSha256(repoRoot) };
  } catch {
    return { gauntlet: pkg.version ?? '0.0.0', gitCommit: null, gitDirty: null, trainerSha256: trainerCodeSha256(repoRoot) };
  }
}

/** `sklearn:digits` → the trainer library's exporter prints the CSV (the data set ships offline with scikit-learn). */
export function builtinDatasetExporter(python: string, repoRoot: string) {
  return async (name: string): Promise<Buffer> => {
    const { stdout } = await run(python, ['-m', 'gauntlet_trainer.export_dataset', name], {
      cwd: repoRoot,
      env: { ...process.env, ...trainerBaseEnv(repoRoot) },
      encoding: 'buffer',
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  };
}

export function createMinioClient(config: WorkerConfig): MinioClient {
  const url = new URL(config.storageEndpoint);
  const useSSL = url.protocol === 'https:';
  return new MinioClient({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.storageAccessKey,
    secretKey: config.storageSecretKey,
    region: config.storageRegion,
  });
}

/** SHA-256 of the trainer library and the reference trainer (their .py files): part of every job's cache key. */
export function trainerCodeSha256(repoRoot: string): string {
  const trainer = join(repoRoot, 'trainer');
  const files = ['gauntlet_trainer', 'gauntlet_reference']
    .flatMap((folder) => readdirSync(join(trainer, folder)).filter((name) => name.endsWith('.py')).map((name) => join(folder, name)))
    .concat('reference_trainer.py')
    .sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(readFileSync(join(trainer, file))).update('\0');
  return hash.digest('hex');
}
