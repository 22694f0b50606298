/**
 * The run manifest: one JSON document per run in the store that says exactly what ran — spec, data hash, code
 * version, metrics and artifact URIs — so any two runs can be compared and any run reproduced.
 */
import { Context } from '@temporalio/activity';
import { rememberLastTrained } from './runFingerprint.js';
import type { ArtifactStore } from './store.js';
import type { CodeVersion, ManifestRequest } from './types.js';

export type { CodeVersion };

export interface ManifestDeps {
  store: ArtifactStore;
  codeVersion: CodeVersion;
  now: () => Date;
}

export const MANIFEST_VERSION = 'gauntlet.run-manifest/v1';

export function createWriteRunManifest(deps: ManifestDeps) {
  return async function writeRunManifest(request: ManifestRequest): Promise<string> {
    const { workflowExecution } = Context.current().info;
    const runId = workflowExecution?.workflowId ?? 'unknown';
    const artifacts: Record<string, string> = { data: request.ingest.data.uri, split: request.ingest.data.splitUri };
    if (request.labeling) artifacts['label.provenance'] = request.labeling.provenanceUri;
    const jobs: Record<string, unknown> = {};
    for (const [stage, job] of Object.entries(request.jobs)) {
      for (const [name, uri] of Object.entries(job.result.artifacts)) artifacts[`${stage}.${name}`] = uri;
      artifacts[`${stage}.result`] = job.resultUri;
      jobs[stage] = {
        jobId: job.jobId,
        mode: job.result.mode,
        metrics: job.result.metrics,
        device: job.result.device,
        trainer: job.result.trainer,
        launches: job.launches,
        trainerSeconds: job.trainerSeconds,
        resumedFromEpoch: job.result.resumedFromEpoch,
      };
    }
    const manifest = {
      manifest: MANIFEST_VERSION,
      runId,
      temporalRunId: workflowExecution?.runId ?? null,
      pipeline: request.spec.name,
      ...(request.status ? { status: request.status, error: request.error ?? null } : {}),
      specFile: request.specFile ?? null,
      spec: request.spec,
      data: {
        source: request.spec.data.source,
        snapshot: request.ingest.snapshot ?? null,
        sha256: request.ingest.data.sha256,
        splitSha256: request.ingest.splitSha256,
        rows: request.ingest.rows,
        classes: request.ingest.classes,
        counts: request.ingest.counts,
      },
      code: deps.codeVersion,
      metrics: request.metrics,
      goal: request.spec.goal ?? null,
      goalMet: request.goalMet,
      gates: request.gates,
      lrFinder: request.lr,
      sweep: request.sweep,
      checks: request.checks ?? [],
      promotion: request.promotion ?? null,
      ...(request.models ? { models: request.models } : {}),
      ...(request.evaluationUri ? { evaluation: request.evaluationUri } : {}),
      labeling: request.labeling
        ? { ...request.labeling, humanCeiling: request.labeling.summary.humanCeiling.accuracy }
        : null,
      jobs,
      artifacts,
      startedAt: request.startedAt,
      finishedAt: deps.now().toISOString(),
    };
    const manifestUri = await deps.store.putJson(`runs/${runId}/manifest.json`, manifest);
    if (!request.status) {
      // A run that trained a model: the next scheduled run on the same data, spec and code has nothing to do.
      const sourceSha256 = request.labeling?.sourceData.sha256 ?? request.ingest.data.sha256;
      await rememberLastTrained(deps, { runId, manifestUri, spec: request.spec, sourceSha256, snapshot: request.ingest.snapshot ?? null, now: deps.now() });
    }
    return manifestUri;
  };
}
