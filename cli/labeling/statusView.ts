/** `gauntlet label status` for a person: batches, annotators' throughput, agreement so far. */
import type { LabelingStatus } from '../../contracts/labeling.js';
import { newTable } from '../table.js';

const fixed = (value: number | null | undefined, digits = 3): string => (value === null || value === undefined ? '—' : value.toFixed(digits));

export function printLabelingStatus(run: string, status: LabelingStatus): void {
  const counts = { open: 0, leased: 0, done: 0, unlabelable: 0 };
  for (const batch of status.batches) counts[batch.status] += 1;
  console.log(
    `${run}: labeling ${status.phase} · ${status.items} items in ${status.batches.length} batches · ` +
      `${counts.done} done, ${counts.leased} leased, ${counts.open} open, ${counts.unlabelable} unlabelable · classes ${status.classes.join(', ')}`,
  );
  const batches = newTable({ head: ['batch', 'kind', 'items', 'status', 'leased to', 'until', 'attempts', 'last attempt'] });
  for (const batch of status.batches) {
    const last = batch.attempts.at(-1);
    const lastText = last ? `${last.annotator}: ${last.outcome}${last.reason ? ` (${last.reason.split('\n')[0]!.slice(0, 60)})` : ''}` : '';
    batches.push([
      batch.id,
      batch.role,
      batch.size,
      batch.status === 'unlabelable' ? `unlabelable: ${batch.reason?.slice(0, 50) ?? ''}` : batch.status,
      batch.holder ?? '',
      batch.leaseExpiresAt ? new Date(batch.leaseExpiresAt).toISOString() : '',
      batch.attempts.length,
      lastText,
    ]);
  }
  console.log(batches.toString());
  const annotators = newTable({ head: ['annotator', 'kind', 'batches', 'items', 'failed', 'expired', 'items/hour'] });
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
