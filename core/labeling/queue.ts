/**
 * The labeling queue as a pure state machine: batches are leased, labeled, failed or expired; attempts are counted;
 * disputes of double-labeled items are settled. The labeling workflow feeds it events with the workflow's clock and
 * acts on what it returns; tests drive it directly. Everything it holds is plain data (it is the workflow's state).
 *
 * Rules:
 * - An annotator never labels the same item twice: not both copies of a double-labeled batch, not a dispute about
 *   a copy they labeled, also after a reassignment.
 * - An expired lease puts the batch back with the annotator excluded from it; a failed job puts it back after a
 *   backoff, for another annotator while there is one who may take it and has not failed it (a labeler that
 *   crashes on a batch may well crash on it again). After `maxAttempts` attempts, or when no annotator is left who
 *   may take it, it is unlabelable.
 */
import { backoffMs, type BackoffPolicy } from '../failures.js';
import type { BatchRole, PlannedBatch } from './plan.js';

export type BatchStatus = 'open' | 'leased' | 'done' | 'unlabelable';
export type AttemptOutcome = 'running' | 'labeled' | 'failed' | 'expired';
export type Settlement = 'single' | 'agreed' | 'third-annotator' | 'majority' | 'dropped' | 'unlabelable';

export interface LabelAttempt {
  attempt: number;
  annotator: string;
  startedAt: number;
  endedAt: number | null;
  outcome: AttemptOutcome;
  reason?: string;
}

export interface LabelBatch extends PlannedBatch {
  status: BatchStatus;
  holder: string | null;
  /** A person's lease ends here (epoch ms); jobs have none (their activity timeout bounds them). */
  leaseExpiresAt: number | null;
  /** A failed batch is offered again from here (epoch ms). */
  notBefore: number;
  /** Annotators who let a lease on this batch expire. */
  excluded: string[];
  attempts: LabelAttempt[];
  labeledBy: string | null;
  reason?: string;
}

export interface ItemRating {
  item: number;
  annotator: string;
  label: string;
  batch: number;
  role: BatchRole;
}

export interface QueueRules {
  annotators: string[];
  maxAttempts: number;
  retry: BackoffPolicy;
  adjudicate: 'third-annotator' | 'majority' | 'drop';
}

export interface QueueState {
  batches: LabelBatch[];
  ratings: ItemRating[];
}

export interface SubmittedLabel {
  item: number;
  label: string;
}

export function initialQueue(plan: readonly PlannedBatch[]): QueueState {
  return {
    batches: plan.map((batch) => ({ ...batch, items: [...batch.items], status: 'open', holder: null, leaseExpiresAt: null, notBefore: 0, excluded: [], attempts: [], labeledBy: null })),
    ratings: [],
  };
}

export class LabelQueue {
  constructor(
    readonly state: QueueState,
    private readonly rules: QueueRules,
  ) {}

  batch(id: number): LabelBatch | undefined {
    return this.state.batches.find((batch) => batch.id === id);
  }

  /** Annotators who labeled, hold or tried items of this batch's group: none of them may take it. */
  private groupAnnotators(batch: LabelBatch): Set<string> {
    const names = new Set<string>();
    if (batch.group === null) return names;
    for (const other of this.state.batches) {
      if (other.group !== batch.group || other.id === batch.id) continue;
      if (other.holder) names.add(other.holder);
      if (other.labeledBy) names.add(other.labeledBy);
    }
    return names;
  }

  /** Why `annotator` may not take this batch now, or null when they may. */
  refusal(batch: LabelBatch, annotator: string): string | null {
    if (batch.excluded.includes(annotator)) return `${annotator} let a lease on batch ${batch.id} expire`;
    if (this.groupAnnotators(batch).has(annotator)) return `${annotator} already labels these items in another copy of batch ${batch.id}`;
    return null;
  }

  /** The next batch for this annotator: disputes first, then double-labeled copies, then the rest. */
  nextFor(annotator: string, now: number): LabelBatch | null {
    const rank: Record<BatchRole, number> = { adjudication: 0, copy: 1, single: 2 };
    const candidates = this.state.batches
      .filter((batch) => batch.status === 'open' && batch.notBefore <= now && this.refusal(batch, annotator) === null && !this.leftToOthers(batch, annotator))
      .sort((a, b) => rank[a.role] - rank[b.role] || a.id - b.id);
    return candidates[0] ?? null;
  }

  /** A batch this annotator failed waits for someone who may take it and has not failed it, while there is one. */
  private leftToOthers(batch: LabelBatch, annotator: string): boolean {
    const failed = new Set(batch.attempts.filter((attempt) => attempt.outcome === 'failed').map((attempt) => attempt.annotator));
    if (!failed.has(annotator)) return false;
    return this.rules.annotators.some((name) => !failed.has(name) && this.refusal(batch, name) === null);
  }

  lease(id: number, annotator: string, now: number, leaseExpiresAt: number | null): LabelAttempt {
    const batch = this.required(id);
    if (batch.status !== 'open') throw new Error(`batch ${id} is ${batch.status}, not open`);
    const refusal = this.refusal(batch, annotator);
    if (refusal) throw new Error(refusal);
    batch.status = 'leased';
    batch.holder = annotator;
    batch.leaseExpiresAt = leaseExpiresAt;
    const attempt: LabelAttempt = { attempt: batch.attempts.length + 1, annotator, startedAt: now, endedAt: null, outcome: 'running' };
    batch.attempts.push(attempt);
    return attempt;
  }

  /** One line per problem with a submission; empty when it may be recorded. Changes nothing. */
  submissionProblems(id: number, annotator: string, labels: readonly SubmittedLabel[], classes: readonly string[], now: number): string[] {
    const batch = this.batch(id);
    if (!batch) return [`batch ${id}: no such batch`];
    if (batch.status !== 'leased' || batch.holder !== annotator) {
      const state = batch.status === 'leased' ? `leased to ${batch.holder}` : batch.status;
      return [`batch ${id}: not leased to ${annotator} (it is ${state}); pull a batch first`];
    }
    if (batch.leaseExpiresAt !== null && batch.leaseExpiresAt <= now) {
      return [`batch ${id}: the lease of ${annotator} expired at ${new Date(batch.leaseExpiresAt).toISOString()}`];
    }
    return labelProblems(batch.items, labels, classes);
  }

  /** Records a batch's labels; returns a new adjudication batch when copies disagree and a third annotator settles. */
  complete(id: number, annotator: string, labels: readonly SubmittedLabel[], now: number): LabelBatch | null {
    const batch = this.required(id);
    const attempt = this.runningAttempt(batch, annotator);
    attempt.endedAt = now;
    attempt.outcome = 'labeled';
    batch.status = 'done';
    batch.holder = null;
    batch.leaseExpiresAt = null;
    batch.labeledBy = annotator;
    for (const { item, label } of labels) this.state.ratings.push({ item, annotator, label, batch: id, role: batch.role });
    return batch.role === 'copy' ? this.adjudicationFor(batch.group!) : null;
  }

  /** A failed attempt (a crash, malformed output) or an expired lease: back in the queue, or unlabelable. */
  fail(id: number, annotator: string, now: number, outcome: 'failed' | 'expired', reason: string): void {
    const batch = this.required(id);
    const attempt = this.runningAttempt(batch, annotator);
    attempt.endedAt = now;
    attempt.outcome = outcome;
    attempt.reason = reason;
    batch.holder = null;
    batch.leaseExpiresAt = null;
    if (outcome === 'expired' && !batch.excluded.includes(annotator)) batch.excluded.push(annotator);
    if (batch.attempts.length >= this.rules.maxAttempts) {
      this.giveUp(batch, `${batch.attempts.length} attempts failed (label.maxAttempts ${this.rules.maxAttempts}); last: ${reason}`);
      return;
    }
    batch.status = 'open';
    batch.notBefore = now + (outcome === 'expired' ? 0 : backoffMs(batch.attempts.length, this.rules.retry));
    this.settleStranded();
  }

  /** Leases that ran out by `now`, put back in the queue. */
  expireLeases(now: number): LabelBatch[] {
    const expired = this.state.batches.filter((batch) => batch.status === 'leased' && batch.leaseExpiresAt !== null && batch.leaseExpiresAt <= now);
    for (const batch of expired) this.fail(batch.id, batch.holder!, now, 'expired', `lease expired at ${new Date(batch.leaseExpiresAt!).toISOString()}`);
    return expired;
  }

  /** When something next changes by itself: a lease ends or a backoff is over. */
  nextWakeAt(now: number): number | null {
    const times = this.state.batches.flatMap((batch) => {
      if (batch.status === 'leased' && batch.leaseExpiresAt !== null) return [batch.leaseExpiresAt];
      if (batch.status === 'open' && batch.notBefore > now) return [batch.notBefore];
      return [];
    });
    return times.length ? Math.min(...times) : null;
  }

  get finished(): boolean {
    return this.state.batches.every((batch) => batch.status === 'done' || batch.status === 'unlabelable');
  }

  /** The copies of each double-labeled batch, as (item, annotator, label) ratings: what agreement is measured on. */
  overlapRatings(): ItemRating[] {
    return this.state.ratings.filter((rating) => rating.role === 'copy');
  }

  private adjudicationFor(group: number): LabelBatch | null {
    const copies = this.state.batches.filter((batch) => batch.group === group && batch.role === 'copy');
    if (this.rules.adjudicate !== 'third-annotator' || !copies.every((copy) => copy.status === 'done')) return null;
    const disputed = disputedItems(this.state.ratings.filter((rating) => rating.role === 'copy' && copies.some((copy) => copy.id === rating.batch)));
    if (disputed.length === 0) return null;
    const batch: LabelBatch = {
      id: Math.max(...this.state.batches.map((b) => b.id)) + 1,
      items: disputed,
      role: 'adjudication',
      group,
      status: 'open',
      holder: null,
      leaseExpiresAt: null,
      notBefore: 0,
      excluded: [],
      attempts: [],
      labeledBy: null,
    };
    this.state.batches.push(batch);
    this.settleStranded();
    return batch;
  }

  /** Open batches nobody may take any more (everyone excluded or already on its items) can never be labeled. */
  private settleStranded(): void {
    for (const batch of this.state.batches) {
      if (batch.status !== 'open') continue;
      if (this.rules.annotators.every((name) => this.refusal(batch, name) !== null)) {
        this.giveUp(batch, `no annotator left who may label it (${this.rules.annotators.map((name) => this.refusal(batch, name)).join('; ')})`);
      }
    }
  }

  private giveUp(batch: LabelBatch, reason: string): void {
    batch.status = 'unlabelable';
    batch.reason = reason;
    batch.holder = null;
    batch.leaseExpiresAt = null;
  }

  private runningAttempt(batch: LabelBatch, annotator: string): LabelAttempt {
    const attempt = batch.attempts.at(-1);
    if (batch.status !== 'leased' || batch.holder !== annotator || !attempt || attempt.outcome !== 'running') {
      throw new Error(`batch ${batch.id} is not leased to ${annotator}`);
    }
    return attempt;
  }

  private required(id: number): LabelBatch {
    const batch = this.batch(id);
    if (!batch) throw new Error(`no batch ${id}`);
    return batch;
  }
}

/** Items whose ratings do not all agree, ascending. */
export function disputedItems(ratings: readonly ItemRating[]): number[] {
  const labels = new Map<number, Set<string>>();
  for (const rating of ratings) labels.set(rating.item, (labels.get(rating.item) ?? new Set()).add(rating.label));
  return [...labels].filter(([, set]) => set.size > 1).map(([item]) => item).sort((a, b) => a - b);
}

/** What is wrong with a batch's labels: unknown classes, missing, extra or duplicate items. One line per problem. */
export function labelProblems(items: readonly number[], labels: readonly SubmittedLabel[], classes: readonly string[]): string[] {
  const problems: string[] = [];
  const expected = new Set(items);
  const seen = new Set<number>();
  for (const { item, label } of labels) {
    if (!expected.has(item)) problems.push(`item ${item}: not in this batch`);
    else if (seen.has(item)) problems.push(`item ${item}: labeled more than once`);
    if (label.trim() === '') problems.push(`item ${item}: no label given`);
    else if (!classes.includes(label)) problems.push(`item ${item}: not a class (got ${JSON.stringify(label)}; classes: ${classes.join(', ')})`);
    seen.add(item);
  }
  const missing = items.filter((item) => !seen.has(item));
  if (missing.length) problems.push(`missing label for item${missing.length > 1 ? 's' : ''} ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}`);
  return problems;
}
