/**
 * The model registry in the store: `models/<pipeline>/champion.json` (the champion) and `models/<pipeline>/history/`
 * (one object per event, never rewritten). Used by the pipeline's promote stage (as activities) and by
 * `gauntlet models` (directly).
 *
 * Concurrency: champion.json is only ever replaced with a conditional write (If-Match the ETag read, or
 * If-None-Match for the first), so of two runs promoting at once one wins and the other gets `conflict` and decides
 * again against the new champion. History keys are written with If-None-Match: an existing event is never overwritten.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { rollbackTarget } from '../core/registry/history.js';
import { championKey, historyKey, historyPrefix, MODELS_PREFIX, pipelineOfFolder } from '../core/registry/keys.js';
import { ChampionRecord, HistoryEntry, type ModelCandidate, type PromotionVerdict } from '../core/registry/schemas.js';
import { InfrastructureError } from './infrastructure.js';
import { problemOf, RegistryError, testSetHashOf } from './runModel.js';
import type { ArtifactStore } from './store.js';

export interface PromoteModelRequest {
  candidate: ModelCandidate;
  by: 'rule' | 'manual';
  /** decidePromotion's verdict (`promoted`, `no-champion-promoted`), or `promoted` for a person's decision. */
  verdict: PromotionVerdict;
  reasons: string[];
  /** The champion's run the decision was made against (null: there was none). Anything else there now is a conflict. */
  expectedChampion: string | null;
  /** When (ISO). A workflow passes its own clock, so a retried activity writes the same event, not a second one. @default now */
  at?: string;
}

export type PromoteResult =
  | { outcome: 'promoted'; champion: ChampionRecord; championUri: string; historyUri: string }
  /** Another promotion got there first: nothing was written; decide again against `current`. */
  | { outcome: 'conflict'; current: ChampionRecord | null };

export interface PromotionVerdictRequest {
  pipeline: string;
  runId: string;
  by: 'rule' | 'manual';
  verdict: PromotionVerdict;
  reasons: string[];
  /** What the run offered, when it got as far as a model. */
  candidate: ModelCandidate | null;
  /** @default now */
  at?: string;
}

export interface RollbackRequest {
  pipeline: string;
  /** A former champion's run; @default the champion before the current one */
  to?: string;
  reason?: string;
  /** @default now */
  at?: string;
}

export interface RollbackResult {
  champion: ChampionRecord;
  previous: ChampionRecord;
  historyUri: string;
}

/** Events read at once when listing a history. */
const READ_CONCURRENCY = 16;
/** Keys tried when an event's key is taken by a different event (same millisecond, same run). */
const KEY_ATTEMPTS = 10;

/** The same event written again (an activity retried after its write landed): compare what identifies it. */
function sameEvent(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.event === b.event && a.at === b.at && a.runId === b.runId && a.by === b.by;
}

export class ModelRegistry {
  constructor(
    readonly store: ArtifactStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async readVersioned(pipeline: string): Promise<{ value: ChampionRecord; etag: string } | null> {
    try {
      return await this.store.getJsonVersioned(championKey(pipeline), ChampionRecord);
    } catch (error) {
      if (error instanceof InfrastructureError) throw error;
      throw new RegistryError('bad-record', `${this.store.uri(championKey(pipeline))} is not a champion record: ${problemOf(error)}`);
    }
  }

  async readChampion(pipeline: string): Promise<ChampionRecord | null> {
    return (await this.readVersioned(pipeline))?.value ?? null;
  }

  /** Pipelines that have a champion, by name. */
  async listPipelines(): Promise<string[]> {
    const pipelines: string[] = [];
    for (const folder of await this.store.listFolders(MODELS_PREFIX)) {
      const pipeline = pipelineOfFolder(folder);
      if (await this.store.exists(this.store.uri(championKey(pipeline)))) pipelines.push(pipeline);
    }
    return pipelines;
  }

  /** Every event, oldest first. */
  async readHistory(pipeline: string): Promise<HistoryEntry[]> {
    const keys = await this.store.listKeys(historyPrefix(pipeline));
    const entries: HistoryEntry[] = [];
    for (let i = 0; i < keys.length; i += READ_CONCURRENCY) {
      const batch = keys.slice(i, i + READ_CONCURRENCY);
      entries.push(...(await Promise.all(batch.map((key) => this.readEvent(key)))));
    }
    return entries;
  }

  private async readEvent(key: string): Promise<HistoryEntry> {
    try {
      return await this.store.getJson(this.store.uri(key), HistoryEntry);
    } catch (error) {
      if (error instanceof InfrastructureError) throw error;
      throw new RegistryError('bad-record', `${this.store.uri(key)} is not a registry event: ${problemOf(error)}`);
    }
  }

  /** Appends one event under a key nobody has written; returns its URI (the existing one when this event is there already). */
  private async append(entry: HistoryEntry): Promise<string> {
    const event = HistoryEntry.parse(entry);
    for (let attempt = 0; attempt < KEY_ATTEMPTS; attempt++) {
      const key = historyKey(event.pipeline, event.at, event.runId, attempt);
      if (await this.store.putJsonIf(key, event, { ifNoneMatch: '*' })) return this.store.uri(key);
      const existing = await this.store.getJsonVersioned(key, HistoryEntry);
      if (existing && sameEvent(existing.value, event)) return this.store.uri(key);
    }
    throw new Error(`no free history key for ${event.event} of ${event.runId} at ${event.at} after ${KEY_ATTEMPTS} tries`);
  }

  /** Makes the candidate the champion, unless the champion is no longer `expectedChampion` (then nothing is written). */
  async promote(request: PromoteModelRequest): Promise<PromoteResult> {
    const { candidate, by, verdict, reasons, expectedChampion } = request;
    const at = request.at ?? this.now().toISOString();
    const champion = ChampionRecord.parse({ ...candidate, promotedAt: at, promotedBy: by, reason: reasons.join('; ') });
    const { pipeline } = champion;
    const promoted = async (): Promise<PromoteResult> => {
      const historyUri = await this.append({ event: 'promoted', at, pipeline, runId: champion.runId, by, verdict, reasons, previousChampion: expectedChampion, champion });
      return { outcome: 'promoted', champion, championUri: this.store.uri(championKey(pipeline)), historyUri };
    };
    const current = await this.readVersioned(pipeline);
    // A retry after champion.json was written: only the history event may be missing.
    if (current && current.value.runId === champion.runId && current.value.promotedAt === at && current.value.promotedBy === by) return promoted();
    if ((current?.value.runId ?? null) !== expectedChampion) return { outcome: 'conflict', current: current?.value ?? null };
    const written = await this.store.putJsonIf(championKey(pipeline), champion, current ? { ifMatch: current.etag } : { ifNoneMatch: '*' });
    if (!written) return { outcome: 'conflict', current: await this.readChampion(pipeline) };
    return promoted();
  }

  /** Records a verdict that promoted nothing (kept, not comparable, waiting for approval); returns the event's URI. */
  async recordVerdict(request: PromotionVerdictRequest): Promise<string> {
    const at = request.at ?? this.now().toISOString();
    const current = await this.readChampion(request.pipeline);
    return this.append({
      event: 'not-promoted',
      at,
      pipeline: request.pipeline,
      runId: request.runId,
      by: request.by,
      verdict: request.verdict,
      reasons: request.reasons,
      previousChampion: current?.runId ?? null,
      candidate: request.candidate,
    });
  }

  /** Puts back the champion before the current one, or the former champion `to`. */
  async rollback(request: RollbackRequest): Promise<RollbackResult> {
    const { pipeline } = request;
    const current = await this.readVersioned(pipeline);
    if (!current) throw new RegistryError('no-champion', `${pipeline} has no champion: there is nothing to roll back`);
    const target = rollbackTarget(await this.readHistory(pipeline), current.value, request.to);
    if (!target.ok) throw new RegistryError('bad-target', target.reason);
    const at = request.at ?? this.now().toISOString();
    const reason = request.reason ?? `rolled back from ${current.value.runId}`;
    const champion = ChampionRecord.parse({ ...target.target, promotedAt: at, promotedBy: 'rollback', reason });
    if (!(await this.store.putJsonIf(championKey(pipeline), champion, { ifMatch: current.etag }))) {
      throw new RegistryError('conflict', `the champion of ${pipeline} changed while rolling back (it was ${current.value.runId}): look with \`gauntlet models show ${pipeline}\` and run the command again`);
    }
    const historyUri = await this.append({ event: 'rolled-back', at, pipeline, runId: champion.runId, by: 'rollback', reasons: [reason], previousChampion: current.value.runId, champion });
    return { champion, previous: current.value, historyUri };
  }
}

/** A malformed record or request fails the same way every time: tell Temporal not to retry it. */
async function notRetriedIfInvalid<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof RegistryError || error instanceof ZodError) {
      throw ApplicationFailure.create({ message: error.message, type: 'RegistryError', nonRetryable: true, cause: error });
    }
    throw error;
  }
}

/** What the pipeline's promote stage calls (worker-registered through activities/index.ts). */
export function createRegistryActivities(deps: { store: ArtifactStore; now?: () => Date }) {
  const registry = new ModelRegistry(deps.store, deps.now);
  return {
    readChampion: (pipeline: string): Promise<ChampionRecord | null> => notRetriedIfInvalid(() => registry.readChampion(pipeline)),
    promoteModel: (request: PromoteModelRequest): Promise<PromoteResult> => notRetriedIfInvalid(() => registry.promote(request)),
    recordPromotionVerdict: (request: PromotionVerdictRequest): Promise<string> => notRetriedIfInvalid(() => registry.recordVerdict(request)),
    testSetHashOf: (data: { sha256: string; splitUri: string }): Promise<string> => notRetriedIfInvalid(() => testSetHashOf(deps.store, data)),
  };
}
