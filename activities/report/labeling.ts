/** The labeling section: the manifest's summary, and the disputed items from the provenance file shown as data. */
import type { DisputedLabel, LabelingSection, SampleView } from '../../core/report/types.js';
import { readJson, type ReportContext } from './context.js';
import { readTable } from './data.js';
import { LabelingSummaryView, Provenance } from './schemas.js';

const SHOWN = 40;
/** Settlements that mean the copies disagreed. */
const DISPUTED = new Set(['third-annotator', 'majority', 'dropped']);

export async function labelingSection(ctx: ReportContext, view: SampleView): Promise<LabelingSection | undefined> {
  const labeling = ctx.manifest.labeling;
  if (!labeling) return undefined;
  const parsed = LabelingSummaryView.safeParse(labeling.summary);
  if (!parsed.success) throw new Error(`the manifest's labeling summary: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const summary = parsed.data;
  const provenance = await readJson(ctx, labeling.provenanceUri, Provenance);
  // The most contested first: more distinct answers, then dropped before settled, then by item.
  const disputedItems = provenance.items
    .filter((item) => DISPUTED.has(item.settlement))
    .map((item) => ({ item, answers: new Set(item.ratings.map((r) => r.label)).size }))
    .sort((a, b) => b.answers - a.answers || Number(b.item.label === null) - Number(a.item.label === null) || a.item.item - b.item.item);
  // Items are rows of the data set as ingested, before labeling changed or removed labels.
  const source = disputedItems.length ? await readTable(ctx, labeling.sourceData.uri) : null;
  const disputed: DisputedLabel[] = disputedItems.slice(0, SHOWN).map(({ item }) => ({
    item: item.item,
    sample: source?.sample(item.item) ?? null,
    label: item.label,
    settlement: item.settlement,
    ratings: item.ratings.map(({ annotator, label, batch, role }) => ({ annotator, label, batch, role })),
  }));
  const gate = ctx.manifest.gates.find((g) => g.gate === 'agreement');
  return {
    classes: labeling.classes,
    items: summary.items,
    labeled: summary.labeled,
    unlabeled: summary.unlabeled,
    doubleLabeled: summary.doubleLabeled,
    settlements: summary.settlements,
    agreement: summary.agreement
      ? {
          items: summary.agreement.items,
          percentAgreement: summary.agreement.percentAgreement,
          krippendorffAlpha: summary.agreement.krippendorffAlpha,
          fleissKappa: summary.agreement.fleissKappa,
          cohenKappa: summary.agreement.cohenKappa.map(({ a, b, n, kappa }) => ({ a, b, n, kappa })),
        }
      : null,
    humanCeiling: {
      accuracy: summary.humanCeiling.accuracy,
      annotators: summary.humanCeiling.annotators.map(({ annotator, n, correct, accuracy }) => ({ annotator, n, correct, accuracy })),
    },
    ...(gate ? { gate: { gate: gate.gate, passed: gate.passed, explanation: gate.explanation } } : {}),
    view: source ? { ...view, columns: source.columns } : view,
    disputed,
    disputedTotal: disputedItems.length,
  };
}
