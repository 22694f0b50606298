/**
 * A finished run's model, read from its manifest (`runs/<run>/manifest.json`): what `gauntlet models promote RUN`
 * promotes by hand. Also `testSetHash`, the identity of a test set that promotion compares models on.
 */
import { createHash } from 'node:crypto';
import { z, ZodError } from 'zod';
import { headlineOf } from '../core/registry/headline.js';
import { MetricValue, ModelCandidate } from '../core/registry/schemas.js';
import { InfrastructureError } from './infrastructure.js';
import type { ArtifactStore } from './store.js';

/** A registry request that cannot be done as asked; `code` says why (the CLI maps it to an exit code). */
export class RegistryError extends Error {
  constructor(
    readonly code: 'no-manifest' | 'bad-manifest' | 'bad-record' | 'not-succeeded' | 'no-model' | 'no-champion' | 'bad-target' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/**
 * The test set's identity: SHA-256 over the data's SHA-256 and the test rows (ascending). Two runs with equal hashes
 * measured their models on exactly the same labelled rows; a relabelled data set or another split gives another hash.
 */
export function testSetHash(dataSha256: string, testRows: readonly number[]): string {
  const rows = [...testRows].sort((a, b) => a - b).join(',');
  return createHash('sha256').update(`gauntlet.test-set/v1\n${dataSha256}\n${rows}`).digest('hex');
}

const SplitRows = z.looseObject({ test: z.array(z.number().int().nonnegative()) });

/** testSetHash of a run's data and its split manifest (`datasets/<sha>/splits/<sha>.json`). */
export async function testSetHashOf(store: ArtifactStore, data: { sha256: string; splitUri: string }): Promise<string> {
  const split = await store.getJson(data.splitUri, SplitRows);
  return testSetHash(data.sha256, split.test);
}

/** How a run ended, read first: a stopped run's manifest may lack what a model record needs. */
const RunOutcomeView = z.looseObject({
  /** Written for runs that did not succeed (`stopped_by_gate`, `failed`); absent: the run reached its record stage. */
  status: z.string().optional(),
  sweep: z.looseObject({ stoppedBecause: z.string() }).nullable().optional(),
});

/** The fields of a manifest (activities/manifest.ts) that make a model record; loose, so newer manifests read. */
const RunManifestView = z.looseObject({
  runId: z.string(),
  pipeline: z.string(),
  spec: z.looseObject({ evaluate: z.looseObject({ split: z.string(), metric: z.string() }) }),
  data: z.looseObject({ sha256: z.string() }),
  metrics: z.record(z.string(), MetricValue),
  goalMet: z.boolean().nullable().optional(),
  sweep: z.looseObject({ stoppedBecause: z.string(), best: z.looseObject({ checkpoint: z.string().optional() }).nullable() }).nullable().optional(),
  artifacts: z.record(z.string(), z.string()),
});
type RunManifestView = z.infer<typeof RunManifestView>;

export function manifestKey(runId: string): string {
  return `runs/${runId}/manifest.json`;
}

function runStatus(outcome: z.infer<typeof RunOutcomeView>): string {
  return outcome.status ?? (outcome.sweep?.stoppedBecause === 'maxFailedTrials' ? 'incomplete' : 'succeeded');
}

/** One line for a parse failure: the first zod issue with its path, or the error's first line (bad JSON). */
export function problemOf(error: unknown): string {
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    return issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : 'unexpected shape';
  }
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** The manifest of a run that succeeded; a RegistryError naming the status of one that did not. */
async function readSucceededManifest(store: ArtifactStore, runId: string): Promise<RunManifestView> {
  const uri = store.uri(manifestKey(runId));
  if (!(await store.exists(uri))) {
    throw new RegistryError('no-manifest', `run ${runId} has no manifest at ${uri}: the run id is wrong, or the run did not finish (still running, stopped by a gate, failed or cancelled)`);
  }
  let outcome: z.infer<typeof RunOutcomeView>;
  try {
    outcome = await store.getJson(uri, RunOutcomeView);
  } catch (error) {
    if (error instanceof InfrastructureError) throw error;
    throw new RegistryError('bad-manifest', `${uri} cannot be read as a run manifest: ${problemOf(error)}`);
  }
  const status = runStatus(outcome);
  if (status !== 'succeeded') throw new RegistryError('not-succeeded', `run ${runId} did not succeed (its status is ${status}): only a succeeded run can be promoted`);
  const manifest = RunManifestView.safeParse(outcome);
  if (!manifest.success) throw new RegistryError('bad-manifest', `${uri} cannot be read as a run manifest: ${problemOf(manifest.error)}`);
  return manifest.data;
}

export interface RunModel {
  candidate: ModelCandidate;
  goalMet: boolean | null;
}

/** The model a succeeded run offers; a RegistryError for a missing manifest, a run that did not succeed, or no model. */
export async function modelOfRun(store: ArtifactStore, runId: string): Promise<RunModel> {
  const manifest = await readSucceededManifest(store, runId);
  const { artifacts } = manifest;
  const checkpoint = artifacts['train.checkpoint'] ?? manifest.sweep?.best?.checkpoint;
  if (!checkpoint) throw new RegistryError('no-model', `run ${runId} recorded no checkpoint (no artifacts['train.checkpoint'] and no best sweep trial): nothing to promote`);
  const headline = headlineOf(manifest.spec.evaluate, manifest.metrics);
  if (!headline) throw new RegistryError('no-model', `run ${runId} has no ${manifest.spec.evaluate.split}_${manifest.spec.evaluate.metric} metric: nothing to compare it on`);
  const splitUri = artifacts.split;
  if (!splitUri) throw new RegistryError('bad-manifest', `run ${runId}'s manifest names no split manifest (artifacts.split): its test set cannot be identified`);
  const candidate = ModelCandidate.safeParse({
    pipeline: manifest.pipeline,
    runId: manifest.runId,
    checkpoint,
    metrics: manifest.metrics,
    headline,
    testSetSha256: await testSetHashOf(store, { sha256: manifest.data.sha256, splitUri }),
    predictionsUri: artifacts['evaluate.predictions'] ?? null,
    manifestUri: store.uri(manifestKey(runId)),
  });
  if (!candidate.success) throw new RegistryError('bad-manifest', `run ${runId}'s manifest does not make a model record: ${problemOf(candidate.error)}`);
  return { candidate: candidate.data, goalMet: manifest.goalMet ?? null };
}
