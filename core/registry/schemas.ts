/**
 * The model registry's records, as zod schemas: what `models/<pipeline>/champion.json` holds (the champion: which run,
 * which checkpoint, its metrics with intervals, and the test set they were measured on) and the append-only history
 * of events beside it (`models/<pipeline>/history/*.json`). Loose objects: a record written by a newer version reads.
 */
import { z } from 'zod';

const S3Uri = z.string().regex(/^s3:\/\/[^/]+\/.+/, 'must be an s3://bucket/key URI');
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256');
/** Pipeline names as the spec allows them (core/spec/pipeline.ts): safe inside object keys. */
export const RegistryPipelineName = z.string().regex(/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/, 'must be a pipeline name (lower-case letters, digits and dashes)');
/** Run ids (`digits-20261126T124500Z`, a schedule's `digits-sched-nightly-2026-11-30T02:00:00Z`): one path segment, never `..` or a slash. */
export const RegistryRunId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be a run id such as digits-20261126T124500Z');

/** A metric with its confidence interval, and how the interval was made (`wilson`, `bootstrap`, …). */
export const MetricInterval = z.looseObject({ estimate: z.number(), low: z.number(), high: z.number(), method: z.string() });
export type MetricInterval = z.infer<typeof MetricInterval>;

export const MetricValue = z.union([MetricInterval, z.number(), z.null()]);
export type MetricValue = z.infer<typeof MetricValue>;

/** The metric models are compared on. `low`/`high`: its interval, null when the run measured none. */
export const Headline = z.looseObject({
  name: z.string().min(1),
  estimate: z.number(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  /** false for losses and errors (`test_loss`): lower is better, and the rules compare the other way round. */
  higherIsBetter: z.boolean(),
});
export type Headline = z.infer<typeof Headline>;

export const PromotedBy = z.enum(['rule', 'manual', 'rollback']);
export type PromotedBy = z.infer<typeof PromotedBy>;

/** What a run offers as a model, before anyone promotes it. */
export const ModelCandidate = z.looseObject({
  pipeline: RegistryPipelineName,
  runId: RegistryRunId,
  checkpoint: S3Uri,
  metrics: z.record(z.string(), MetricValue),
  headline: Headline,
  /** testSetHash (activities/runModel.ts): the data's SHA-256 and the test rows. Models compare only on equal hashes. */
  testSetSha256: Sha256,
  /** Per-row test predictions (for a McNemar test against a later challenger); null when the run wrote none. */
  predictionsUri: S3Uri.nullable(),
  manifestUri: S3Uri.nullable(),
});
export type ModelCandidate = z.infer<typeof ModelCandidate>;

/** `models/<pipeline>/champion.json`. */
export const ChampionRecord = ModelCandidate.extend({
  promotedAt: z.iso.datetime(),
  promotedBy: PromotedBy,
  reason: z.string(),
});
export type ChampionRecord = z.infer<typeof ChampionRecord>;

export const PromotionVerdict = z.enum(['promoted', 'kept', 'waiting-for-approval', 'no-champion-promoted', 'not-comparable']);
export type PromotionVerdict = z.infer<typeof PromotionVerdict>;

/** The spec's `promote:` section. `when` has no default: writing the section means choosing a rule. */
export const PromotionRule = z.strictObject({
  when: z.enum(['mcnemar', 'lowerBound', 'always', 'manual']),
  /** McNemar's significance level. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** How much better than the champion's estimate, in the headline metric's units. */
  minImprovement: z.number().min(0).default(0),
});
export type PromotionRule = z.output<typeof PromotionRule>;

const EventBase = {
  at: z.iso.datetime(),
  pipeline: RegistryPipelineName,
  /** The run the event is about: the one promoted, rolled back to, or not promoted. */
  runId: RegistryRunId,
  reasons: z.array(z.string()),
  /** The champion's run before the event (null: there was none). */
  previousChampion: RegistryRunId.nullable(),
};

/** One event of `models/<pipeline>/history/`; the objects are never rewritten, so the history is append-only. */
export const HistoryEntry = z.discriminatedUnion('event', [
  z.looseObject({ event: z.literal('promoted'), ...EventBase, by: z.enum(['rule', 'manual']), verdict: PromotionVerdict, champion: ChampionRecord }),
  z.looseObject({ event: z.literal('rolled-back'), ...EventBase, by: z.literal('rollback'), champion: ChampionRecord }),
  z.looseObject({
    event: z.literal('not-promoted'),
    ...EventBase,
    by: z.enum(['rule', 'manual']),
    verdict: PromotionVerdict,
    /** What the run offered (null when it got no further than a verdict, e.g. no headline metric). */
    candidate: ModelCandidate.nullable(),
  }),
]);
export type HistoryEntry = z.infer<typeof HistoryEntry>;
