/**
 * Stage caching: a job whose inputs hash the same as an earlier successful job's is not run again; its outcome is
 * reused and says where it came from (`cached from RUN`). The key covers what decides a job's output: the mode and
 * its settings, the data and split hashes (inside `data`), the upstream outputs it reads (checkpoint, schedule), the
 * trainer section and the trainer's code, and the pipeline's name; never the run's id, timeouts or retry policy. Trials of a sweep are not
 * cached: their order depends on which trial finishes first.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { canonicalJson } from '../core/canonicalJson.js';
import { JOB_CONTRACT_VERSION } from '../core/spec/job.js';
import type { ArtifactStore } from './store.js';
import type { CodeVersion, JobOutcome, JobRequest } from './types.js';

export const JOB_CACHE_VERSION = 'gauntlet.job-cache/v1';

export interface JobCacheDeps {
  store: ArtifactStore;
  /** The gauntlet version and the SHA-256 of the trainer sources the worker runs (worker/sideEffects.ts). */
  codeVersion: Pick<CodeVersion, 'gauntlet' | 'trainerSha256'>;
}

export interface CacheHit {
  run: string;
  stage: string;
}

const CACHEABLE_MODES = new Set(['train', 'lr_range_test', 'overfit_check', 'evaluate', 'inspect']);

/** Sweep trials and labeling batches never come from the cache. */
export function isCacheable(request: JobRequest): boolean {
  return request.cache !== false && CACHEABLE_MODES.has(request.mode) && !/^trial-/.test(request.stage);
}

/** The files a command trainer names (its script, a module folder is not hashed): their bytes are its code. */
async function commandFilesSha256(command: readonly string[] | undefined): Promise<string | null> {
  if (!command) return null;
  const hash = createHash('sha256');
  for (const arg of command) {
    if (!arg.startsWith('/')) continue;
    const info = await stat(arg).catch(() => null);
    if (info?.isFile()) hash.update(arg).update('\0').update(await readFile(arg)).update('\0');
  }
  return hash.digest('hex');
}

export async function jobCacheKey(request: JobRequest, deps: Pick<JobCacheDeps, 'codeVersion'>): Promise<string> {
  const { trainer } = request;
  const inputs = {
    cache: JOB_CACHE_VERSION,
    contract: JOB_CONTRACT_VERSION,
    gauntlet: deps.codeVersion.gauntlet,
    trainerCode: deps.codeVersion.trainerSha256 ?? null,
    commandCode: await commandFilesSha256(trainer.command),
    // Reuse stays within a pipeline: another pipeline's outputs are not what its owner asked for.
    pipeline: request.pipeline,
    trainer: { kind: trainer.kind, command: trainer.command, device: trainer.device },
    image: request.executor === 'kubernetes' ? (request.kubernetes?.image ?? null) : null,
    mode: request.mode,
    data: request.data,
    seed: request.seed,
    epochs: request.epochs,
    batchSize: request.batchSize,
    hyperparameters: request.hyperparameters ?? {},
    schedule: request.schedule,
    checkpoint: request.checkpoint ?? null,
    split: request.split,
    overfit: request.overfit,
  };
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}

const CacheEntry = z.object({
  cache: z.literal(JOB_CACHE_VERSION),
  run: z.string(),
  stage: z.string(),
  savedAt: z.string(),
  outcome: z.custom<JobOutcome>((value) => typeof value === 'object' && value !== null && 'result' in value && 'resultUri' in value),
});

export function createJobCache(deps: JobCacheDeps) {
  const keyOf = (key: string) => `cache/jobs/${key}.json`;
  return {
    keyFor: (request: JobRequest) => jobCacheKey(request, deps),
    /** An earlier outcome for these inputs whose artifacts are all still in the store, or null. */
    async lookup(request: JobRequest): Promise<{ key: string; hit: (JobOutcome & { cachedFrom: CacheHit }) | null }> {
      const key = await jobCacheKey(request, deps);
      const stored = await deps.store.getJsonVersioned(keyOf(key), CacheEntry);
      if (!stored) return { key, hit: null };
      const { outcome, run, stage } = stored.value;
      const uris = [outcome.resultUri, ...Object.values(outcome.result.artifacts)];
      for (const uri of uris) if (!(await deps.store.exists(uri))) return { key, hit: null };
      return { key, hit: { ...outcome, launches: 0, adopted: false, cachedFrom: { run, stage } } };
    },
    async save(key: string, run: string, stage: string, outcome: JobOutcome, now: Date): Promise<void> {
      const { cachedFrom: _from, ...fresh } = outcome;
      await deps.store.putJson(keyOf(key), { cache: JOB_CACHE_VERSION, run, stage, savedAt: now.toISOString(), outcome: fresh });
    },
  };
}

export type JobCache = ReturnType<typeof createJobCache>;
