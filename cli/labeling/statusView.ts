/** `gauntlet label status` for a person: batches, annotators' throughput, agreement so far. */
import type { LabelingStatus } from '../../contracts/labeling.js';
import { newTable } from '../table.js';

const fixed = (value: number | null | undefined, digits = 3): string => (value === null || value === undefined ? '—' : value.toFixed(digits));

const PHASE: Record<LabelingStatus['phase'], string> = { labeling: 'labeling in progress', applying: 'applying the labels', done: 'labeling done' };

/** Rows without lines between them: a run has dozens of batches. */
const COMPACT = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };

/** Batches that need a look: not done yet, or done after failed attempts. `all` lists every batch. */
export function printLabelingStatus(run: string, status: LabelingStatus, all = false): void {
  const counts = { open: 0, leased: 0, done: 0, unlabelable: 0 };
  for (const batch of status.batches) counts[batch.status] += 1;
  console.log(
    `${run}: ${PHASE[status.phase]} · ${status.items} items in ${status.batches.length} batches · ` +
      `${counts.done} done, ${counts.leased} leased, ${counts.open} open, ${counts.unlabelable} unlabelable · classes ${status.classes.join(', ')}`,
  );
  const batches = newTable({ head: ['batch', 'kind', 'items', 'status', 'leased to', 'until', 'attempts', 'last failure'], ...COMPACT });
  const shown = status.batches.filter((batch) => all || batch.status !== 'done' || batch.attempts.length > 1);
  for (const batch of shown) {
    const attempts = batch.attempts.map((attempt) => `${attempt.annotator} ${attempt.outcome}`).join(', ');
    const failure = (batch.attempts.filter((attempt) => attempt.reason).at(-1)?.reason ?? '').replace(/^job \S+ /, '');
    const lastFailure = failure.split('\n').filter((line) => line.trim()).slice(0, 2).join(' / ').slice(0, 70);
    batches.push([
      batch.id,
      batch.role,
      batch.size,
      batch.status === 'unlabelable' ? `unlabelable: ${batch.reason?.slice(0, 50) ?? ''}` : batch.status,
      batch.holder ?? '',
      batch.leaseExpiresAt ? new Date(batch.leaseExpiresAt).toISOString() : '',
      attempts,
      lastFailure,
    ]);
  }
  if (shown.length) console.log(batches.toString());
  const hidden = status.batches.length - shown.length;
  if (hidden) console.log(`(${hidden} batches done at their first attempt not shown: --all lists them)`);
  const annotators = newTable({ head: ['annotator', 'kind', 'batches', 'items', 'failed', 'expired', 'items/hour'], ...COMPACT });
  for (const a of status.annotators) annotators.push([a.annotator, a.kind, a.batches, a.items, a.failed, a.expired, fixed(a.itemsPerHour, 0)]);
  console.log(annotators.toString());
  const agreement = status.agreement;
  if (!agreement) {
    console.log('agreement: no double-labeled item has both its labels yet');
  } else {
    console.log(
      `agreement on ${agreement.items} double-labeled items: Krippendorff's alpha ${fixed(agreement.krippendorffAlpha)} · ` +
        `percent agreement ${fixed(agreement.percentAgreement)} · Fleiss' kappa ${fixed(agreement.fleissKappa)}`,
    );
    for (const pair of agreement.cohenKappa) console.log(`  Cohen's kappa ${pair.a} / ${pair.b}: ${fixed(pair.kappa)} on ${pair.n} items`);
  }
  for (const note of status.notes.slice(-3)) console.log(`retrying: ${note}`);
}
