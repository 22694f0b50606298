/** The worker's own side effects at start-up: code version, built-in data sets, clients. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client as MinioClient } from 'minio';
import type { CodeVersion } from '../activities/manifest.js';
import type { WorkerConfig } from './config.js';
import { trainerBaseEnv } from './trainerCommand.js';

const run = promisify(execFile);

export async function readCodeVersion(repoRoot: string): Promise<CodeVersion> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string };
  try {
    const commit = (await run('git', ['rev-parse', 'HEAD'], { cwd: repoRoot })).stdout.trim();
    const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot })).stdout.trim() !== '';
    return { gauntlet: pkg.version ?? '0.0.0', gitCommit: commit, gitDirty: dirty };
  } catch {
    return { gauntlet: pkg.version ?? '0.0.0', gitCommit: null, gitDirty: null };
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
