/**
 * The labeling stage as its own workflow (`<run>-label`): batches go to annotator jobs, which it runs, and to people,
 * who lease and submit them through Updates (`gauntlet label pull|submit`). Crashed and malformed jobs and expired
 * leases are retried under the spec's rules; every attempt is kept and shows in the Temporal UI as an activity
 * summary (`label · batch 7 · ann-2 · attempt 2`). The rules are the pure queue in core/labeling; this file only
 * feeds it the workflow's clock and events, and acts on what it decides.
 */
import { ApplicationFailure, condition, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { rootCauseMessage, rootFailureType } from '../core/errors.js';
import { INFRASTRUCTURE_UNAVAILABLE } from '../core/failures.js';
import { planBatches } from '../core/labeling/plan.js';
import { initialQueue, LabelQueue, type LabelBatch } from '../core/labeling/queue.js';
import { settleItems } from '../core/labeling/settle.js';
import { labelingSummary, overlapAgreement, throughput } from '../core/labeling/summary.js';
import { durationMs } from '../core/spec/duration.js';
import type { JobAnnotator, LabelSpec } from '../core/spec/labeling.js';
import {
  labelingStatusQuery,
  leaseBatchUpdate,
  submitLabelsUpdate,
  type LabelingInput,
  type LabelingResult,
  type LabelingStatus,
} from '../contracts/labeling.js';
import type { JobRequest } from '../activities/types.js';
import { activityProxies } from './stages.js';
import type { z } from 'zod';

type JobAnnotatorSpec = z.infer<typeof JobAnnotator>;
/** Failures no other attempt can fix: the stage fails with them instead of spending attempts. */
const FATAL_TYPES = new Set(['BadInput', INFRASTRUCTURE_UNAVAILABLE]);

export async function labelingWorkflow(input: LabelingInput): Promise<LabelingResult> {
  const { spec, ingest, items, classes } = input;
  const label = spec.label as LabelSpec;
  const { workflowId } = workflowInfo();
  const humans = label.annotators.filter((annotator) => annotator.kind === 'human').map((annotator) => annotator.name);
  const machines = label.annotators.filter((annotator): annotator is JobAnnotatorSpec => annotator.kind === 'job');
  const queue = new LabelQueue(initialQueue(planBatches(items, { batchSize: label.batchSize, overlap: label.overlap, seed: label.seed })), {
    annotators: label.annotators.map((annotator) => annotator.name),
    maxAttempts: label.maxAttempts,
    retry: { initialMs: durationMs(label.retry.initialInterval), coefficient: label.retry.backoffCoefficient, maximumMs: durationMs(label.retry.maximumInterval) },
    adjudicate: label.adjudicate,
  });
  const leaseMs = durationMs(label.leaseTimeout);
  const notes: string[] = [];
  let phase: LabelingStatus['phase'] = 'labeling';
  let changed = false;
  let fatal: unknown = null;
  // One launch per attempt: the queue counts a labeler's failures (label.maxAttempts), not the trainer's retry policy.
  const { quick, jobs } = activityProxies(spec, {
    trainer: { maximumAttempts: 1, initialMs: 0, coefficient: 1, maximumMs: 0 },
    onRetry: (note) => {
      notes.push(note);
      if (notes.length > 20) notes.shift();
    },
  });

  setHandler(labelingStatusQuery, (): LabelingStatus => ({
    phase,
    classes,
    items: items.length,
    batches: queue.state.batches.map(({ items: batchItems, ...batch }) => ({ ...batch, size: batchItems.length })),
    annotators: throughput(queue.state, label.annotators),
    agreement: overlapAgreement(queue.state.ratings, label.level),
    notes,
  }));

  setHandler(
    leaseBatchUpdate,
    ({ annotator }) => {
      const now = new Date().getTime();
      queue.expireLeases(now);
      changed = true;
      // Pulling again while holding a batch gives the same batch: a person whose terminal crashed loses nothing.
      const held = queue.state.batches.find((batch) => batch.status === 'leased' && batch.holder === annotator);
      const batch = held ?? queue.nextFor(annotator, now);
      if (!batch) return { granted: null, reason: nothingFor(annotator) };
      const attempt = held ? held.attempts.at(-1)!.attempt : queue.lease(batch.id, annotator, now, now + leaseMs).attempt;
      return {
        granted: { batch: batch.id, items: batch.items, classes, leaseExpiresAt: new Date(batch.leaseExpiresAt!).toISOString(), attempt, data: ingest.data, view: label.view },
      };
    },
    {
      validator: ({ annotator }) => {
        if (!humans.includes(annotator)) {
          throw ApplicationFailure.nonRetryable(`"${annotator}" is not a human annotator of this run (label.annotators with kind human: ${humans.join(', ') || 'none'})`, 'NotAnAnnotator');
        }
        if (phase !== 'labeling') throw ApplicationFailure.nonRetryable('labeling is over for this run', 'LabelingOver');
      },
    },
  );

  setHandler(
    submitLabelsUpdate,
    ({ batch, annotator, labels }) => {
      const adjudication = queue.complete(batch, annotator, labels, new Date().getTime());
      changed = true;
      const open = queue.state.batches.filter((b) => b.status === 'open').length;
      const leased = queue.state.batches.filter((b) => b.status === 'leased').length;
      return { batch, recorded: labels.length, adjudicationBatch: adjudication?.id ?? null, remaining: { open, leased } };
    },
    {
      // Rejected submissions leave no trace in the history: nothing is recorded and the batch stays leased.
      validator: ({ batch, annotator, labels }) => {
        const problems = queue.submissionProblems(batch, annotator, labels, classes, new Date().getTime());
        if (problems.length) throw ApplicationFailure.nonRetryable(problems.join('\n'), 'SubmissionRefused');
      },
    },
  );

  function nothingFor(annotator: string): string {
    const open = queue.state.batches.filter((batch) => batch.status === 'open');
    if (open.length === 0) return `no open batch (${queue.state.batches.filter((batch) => batch.status === 'leased').length} leased to others)`;
    const reasons = open.map((batch) => queue.refusal(batch, annotator)).filter((reason) => reason !== null);
    const waiting = open.filter((batch) => batch.notBefore > new Date().getTime()).length;
    return `no batch ${annotator} may take now (${open.length} open${waiting ? `, ${waiting} waiting out a retry backoff` : ''}${reasons.length ? `; ${reasons[0]}` : ''})`;
  }

  const batchUris: Record<number, string> = {};
  async function publishNew(): Promise<void> {
    const unpublished = queue.state.batches.filter((batch) => batchUris[batch.id] === undefined);
    if (unpublished.length === 0) return;
    const uris = await quick.publishLabelBatches.executeWithOptions({ summary: `label · publish ${unpublished.length} batches` }, [
      { workflowId, batches: unpublished.map(({ id, items: batchItems }) => ({ id, items: batchItems })) },
    ]);
    Object.assign(batchUris, uris);
  }

  const running = new Map<string, number>();
  async function runAttempt(annotator: JobAnnotatorSpec, batch: LabelBatch, attempt: number): Promise<void> {
    const summary = `label · batch ${batch.id} · ${annotator.name} · attempt ${attempt}`;
    try {
      const outcome = await jobs.runJob.executeWithOptions({ summary }, [labelJob(input, annotator, batch, attempt, batchUris[batch.id]!)]);
      const labelsUri = outcome.result.artifacts.labels;
      if (!labelsUri) throw ApplicationFailure.nonRetryable(`${outcome.jobId} succeeded without a labels artifact`, 'MalformedLabels');
      const labels = await quick.readJobLabels.executeWithOptions({ summary: `${summary} · check` }, [
        { labelsUri, batch: batch.id, annotator: annotator.name, items: batch.items, classes },
      ]);
      queue.complete(batch.id, annotator.name, labels, new Date().getTime());
    } catch (error) {
      if (isCancellation(error) || FATAL_TYPES.has(rootFailureType(error) ?? '')) fatal ??= error;
      else queue.fail(batch.id, annotator.name, new Date().getTime(), 'failed', rootCauseMessage(error));
    } finally {
      running.set(annotator.name, (running.get(annotator.name) ?? 1) - 1);
      changed = true;
    }
  }

  while (!queue.finished) {
    if (fatal) throw fatal;
    await publishNew();
    const now = new Date().getTime();
    queue.expireLeases(now);
    for (const annotator of machines) {
      while ((running.get(annotator.name) ?? 0) < annotator.concurrency) {
        const batch = queue.nextFor(annotator.name, now);
        if (!batch) break;
        const { attempt } = queue.lease(batch.id, annotator.name, now, null);
        running.set(annotator.name, (running.get(annotator.name) ?? 0) + 1);
        void runAttempt(annotator, batch, attempt);
      }
    }
    if (queue.finished) break;
    changed = false;
    const wake = queue.nextWakeAt(new Date().getTime());
    if (wake === null) await condition(() => changed);
    else await condition(() => changed, Math.max(1, wake - new Date().getTime()));
  }
  if (fatal) throw fatal;

  phase = 'applying';
  const settled = settleItems(queue.state, label.adjudicate);
  const summary = labelingSummary(queue.state, settled, label.level);
  const applied = await quick.applyLabels.executeWithOptions({ summary: 'label · apply adjudicated labels', startToCloseTimeout: '10m' }, [
    { workflowId, ingest, classes, split: spec.data.split, settled, summary },
  ]);
  phase = 'done';
  return { ingest: applied.ingest, provenanceUri: applied.provenanceUri, summary };
}

/** A batch for a labeling job: the reference trainer's simulated annotator, or the annotator's own command. */
function labelJob(input: LabelingInput, annotator: JobAnnotatorSpec, batch: LabelBatch, attempt: number, batchUri: string): JobRequest {
  const { spec } = input;
  const executor = spec.stageExecutors.label ?? spec.executor;
  const { command: _command, modes: _modes, ...trainer } = spec.trainer;
  return {
    // A new job per attempt: a crash is not replayed by a retry that adopts the same job.
    stage: `b${batch.id}-a${attempt}`,
    pipeline: spec.name,
    executor,
    ...(executor === 'kubernetes' && spec.kubernetes ? { kubernetes: spec.kubernetes } : {}),
    mode: 'label',
    trainer: annotator.command ? { ...trainer, kind: 'command', command: annotator.command } : { ...trainer, kind: 'reference' },
    data: input.ingest.data,
    seed: spec.label!.seed,
    hyperparameters: annotator.hyperparameters,
    label: { batchUri, batch: batch.id, annotator: annotator.name, classes: input.classes },
    progress: { live: false, epochs: [] },
  };
}
