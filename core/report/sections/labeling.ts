/** The labeling section: agreement, the human ceiling, how disputes were settled, and the disputed items as data. */
import { dec, h, num, pct } from '../format.js';
import { facts, section, subsection, table, tiles, verdictBadge, type Html } from '../html.js';
import { sampleFigure, sampleGallery } from '../samples.js';
import type { DisputedLabel, LabelingSection } from '../types.js';

const SETTLEMENT_WORDS: Record<string, string> = {
  single: 'labeled once',
  agreed: 'two labels agreed',
  'third-annotator': 'settled by a third annotator',
  majority: 'settled by majority',
  dropped: 'dropped (no agreement)',
  unlabelable: 'never labeled',
};

function ratingsText(item: DisputedLabel): string {
  const ratings = item.ratings.map((r) => `${r.annotator} ${r.label}${r.role === 'adjudication' ? ' (third)' : ''}`).join(', ');
  const outcome = item.label === null ? 'left out' : `→ ${item.label}`;
  return `${ratings} ${outcome} (${SETTLEMENT_WORDS[item.settlement] ?? item.settlement})`;
}

function disputedBlock(section: LabelingSection): Html {
  const { disputed, view, classes } = section;
  if (disputed.length === 0) return '<p class="note">No item was disputed.</p>';
  const withData = disputed.filter((item) => item.sample !== null);
  const gallery = view.image
    ? `<div class="gallery">${withData
        .map((item) => {
          const ratings = item.ratings.map((r) => `${h(r.annotator)} <b>${h(r.label)}</b>${r.role === 'adjudication' ? ' (third)' : ''}`).join('<br>');
          const outcome = item.label === null ? '<span class="bad-text">left out</span>' : `→ <b>${h(item.label)}</b>`;
          return sampleFigure({ sample: item.sample!, caption: `item ${item.item}<br>${ratings}<br>${outcome}`, tone: 'warn' }, view, classes);
        })
        .join('')}</div>`
    : sampleGallery(
        withData.map((item) => ({ sample: item.sample!, caption: h(ratingsText(item)), tone: 'warn' as const })),
        view,
        classes,
      );
  const more = section.disputedTotal > disputed.length ? `<p class="note">${section.disputedTotal - disputed.length} more disputed items are in the provenance file.</p>` : '';
  return gallery + more;
}

export function labelingSection(data: LabelingSection): Html {
  const agreement = data.agreement;
  const headline = tiles([
    { label: 'items labeled', value: `${num(data.labeled)} / ${num(data.items)}`, note: data.unlabeled ? `${num(data.unlabeled)} left out` : 'none left out' },
    { label: 'labeled twice', value: num(data.doubleLabeled) },
    { label: "Krippendorff's alpha", value: dec(agreement?.krippendorffAlpha ?? null), note: '1 = perfect, 0 = chance' },
    { label: 'percent agreement', value: pct(agreement?.percentAgreement ?? null) },
    { label: 'human ceiling', value: pct(data.humanCeiling.accuracy), note: "annotators' accuracy vs the final labels" },
  ]);
  const gate = data.gate ? `<p>${verdictBadge(data.gate.passed ? 'passed' : 'failed')} ${h(data.gate.explanation)}</p>` : '';
  const settlements = table(
    ['how the label was reached', 'items'],
    Object.entries(data.settlements).map(([name, count]) => [h(SETTLEMENT_WORDS[name] ?? name), h(num(count))]),
  );
  const kappas = agreement?.cohenKappa.length
    ? table(['annotators', 'items both labeled', "Cohen's kappa"], agreement.cohenKappa.map((p) => [h(`${p.a} / ${p.b}`), h(num(p.n)), h(dec(p.kappa))]))
    : '';
  const ceiling = data.humanCeiling.annotators.length
    ? table(
        ['annotator', 'double-labeled items', 'agreeing with the final label', 'accuracy'],
        data.humanCeiling.annotators.map((a) => [h(a.annotator), h(num(a.n)), h(num(a.correct)), h(pct(a.accuracy))]),
      )
    : '';
  const body = [
    headline,
    gate,
    facts([['Fleiss\' kappa', h(dec(agreement?.fleissKappa ?? null))], ['Items in the agreement', h(num(agreement?.items ?? 0))]]),
    subsection('Settlements', settlements),
    kappas ? subsection('Agreement between pairs of annotators', kappas, "Cohen's kappa on the items both labeled: agreement beyond what their label frequencies give by chance.") : '',
    ceiling ? subsection('The human ceiling', ceiling, 'Each annotator against the adjudicated label. A model scored against these labels cannot be shown to beat the annotators.') : '',
    subsection('Disputed labels', disputedBlock(data), 'Items whose two labels differed, with every rating and the label training used: the hard or ambiguous cases.'),
  ];
  return section('labeling', 'Labeling', 'People or labeling jobs gave these rows their labels; part of them twice, to measure how far annotators agree.', body.filter(Boolean).join('\n'));
}
