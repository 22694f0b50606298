/**
 * "Nothing changed since the last model": a scheduled run whose spec, source data and code are those of the
 * pipeline's last trained run ends as `unchanged` instead of training again. The fingerprint is written when a run
 * records its manifest, and compared right after the next run's ingest.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../core/canonicalJson.js';
import type { PipelineSpec } from '../core/spec/pipeline.js';
import type { ArtifactStore } from './store.js';
import type { CodeVersion, SnapshotUsed } from './types.js';

export interface FingerprintDeps {
  store: ArtifactStore;
  codeVersion: CodeVersion;
}

export interface UnchangedRequest {
  spec: PipelineSpec;
  /** SHA-256 of the data as read from the source (before labeling). */
  sourceSha256: string;
}

export interface UnchangedRun {
  runId: string;
  manifestUri: string;
  snapshot: SnapshotUsed | null;
}

const LastTrained = z.object({
  fingerprint: z.string(),
  runId: z.string(),
  manifestUri: z.string(),
  sourceSha256: z.string(),
  snapshot: z.object({ name: z.string(), location: z.string() }).nullable(),
  recordedAt: z.string(),
});

export function runFingerprint(spec: PipelineSpec, sourceSha256: string, code: Pick<CodeVersion, 'gauntlet' | 'gitCommit' | 'trainerSha256'>): string {
  const inputs = { fingerprint: 'gauntlet.run-fingerprint/v1', spec, sourceSha256, code: { gauntlet: code.gauntlet, gitCommit: code.gitCommit, trainer: code.trainerSha256 ?? null } };
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}

const lastTrainedKey = (pipeline: string) => `pipelines/${pipeline}/last-trained.json`;

/** Called by the record stage of a run that trained a model. */
export async function rememberLastTrained(deps: FingerprintDeps, run: { runId: string; manifestUri: string; spec: PipelineSpec; sourceSha256: string; snapshot: SnapshotUsed | null; now: Date }): Promise<void> {
  await deps.store.putJson(lastTrainedKey(run.spec.name), {
    fingerprint: runFingerprint(run.spec, run.sourceSha256, deps.codeVersion),
    runId: run.runId,
    manifestUri: run.manifestUri,
    sourceSha256: run.sourceSha256,
    snapshot: run.snapshot,
    recordedAt: run.now.toISOString(),
  });
}

export function createFingerprintActivities(deps: FingerprintDeps) {
  return {
    /** The pipeline's last trained run when it had this spec, data and code; null when anything differs. */
    async findUnchangedRun(request: UnchangedRequest): Promise<UnchangedRun | null> {
      const stored = await deps.store.getJsonVersioned(lastTrainedKey(request.spec.name), LastTrained);
      if (!stored || stored.value.fingerprint !== runFingerprint(request.spec, request.sourceSha256, deps.codeVersion)) return null;
      const { runId, manifestUri, snapshot } = stored.value;
      return { runId, manifestUri, snapshot };
    },
  };
}
