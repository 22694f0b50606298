/** Evaluation: the held-out score, a confusion-matrix heat map, per-class metrics, and the mistakes shown as data. */
import { classMetrics, macro } from '../classMetrics.js';
import { h, metric, num, pct } from '../format.js';
import { confusionHeatmap } from '../heatmap.js';
import { plot, section, subsection, table, tiles, type Html } from '../html.js';
import { className, sampleGallery } from '../samples.js';
import type { EvaluationSection } from '../types.js';

export function evaluationSection(data: EvaluationSection): Html {
  const { split, classes } = data;
  const perClass = data.confusion ? classMetrics(data.confusion) : [];
  const accuracy = data.metrics.accuracy ?? null;
  const headline = tiles([
    { label: `${split} accuracy`, value: pct(accuracy) },
    { label: `${split} loss`, value: num(data.metrics.loss ?? null) },
    { label: 'rows scored', value: num(data.metrics.n ?? null) },
    ...(perClass.length ? [{ label: 'macro F1', value: pct(macro(perClass.map((c) => c.f1))), note: 'mean over classes' }] : []),
    ...(data.humanCeiling !== undefined && data.humanCeiling !== null ? [{ label: 'human ceiling', value: pct(data.humanCeiling), note: 'annotators vs final labels' }] : []),
  ]);
  const extra = Object.entries(data.metrics).filter(([name]) => !['accuracy', 'loss', 'n'].includes(name));
  const extras = extra.length ? `<p>Also: ${extra.map(([name, value]) => `${h(name)} <b>${h(metric(name, value))}</b>`).join(' · ')}</p>` : '';
  const parts: Html[] = [headline, extras];
  if (data.confusion) {
    const errors = data.confusion.reduce((sum, row, i) => sum + row.reduce((s, v, j) => s + (i === j ? 0 : v), 0), 0);
    parts.push(
      subsection(
        'Confusion matrix',
        plot(
          confusionHeatmap(data.confusion, classes),
          `Rows are the true class, columns the predicted one; each cell counts ${h(split)} rows. Blue cells on the diagonal are right, red cells off it are mistakes (${h(num(errors))} in all), shaded by their share of the true class.`,
        ),
      ),
    );
    const rows = perClass.map((c, i) => [
      h(className(classes, i)),
      h(num(c.support)),
      h(pct(c.precision)),
      h(pct(c.recall)),
      h(pct(c.f1)),
      h(c.confusedWith ? `${className(classes, c.confusedWith.label)} (${c.confusedWith.count})` : '—'),
    ]);
    parts.push(
      subsection(
        'Per class',
        table(['class', 'rows', 'precision', 'recall', 'F1', 'most often mistaken for'], rows, { text: [0, 5] }),
        'Precision: of the rows predicted as the class, the share that are. Recall: of the rows of the class, the share found. F1: their harmonic mean.',
      ),
    );
  }
  const shown = data.misclassified.map((m) => ({
    sample: m.sample,
    caption: `row ${m.sample.row}<br>true <b>${h(className(classes, m.sample.label))}</b> → <b class="bad-text">${h(className(classes, m.predicted))}</b>${m.confidence !== null ? ` ${h(pct(m.confidence, 0))}` : ''}`,
    tone: 'bad' as const,
  }));
  const more = data.misclassifiedTotal > data.misclassified.length ? `<p class="note">The ${num(data.misclassified.length)} most confident of ${num(data.misclassifiedTotal)} mistakes.</p>` : '';
  parts.push(
    subsection(
      'Misclassified examples',
      data.misclassifiedTotal === 0 ? '<p class="note">Every row was classified correctly.</p>' : sampleGallery(shown, data.view, classes) + more,
      'The rows the model got wrong, most confident mistakes first, with the model\'s probability for its answer: look for wrong labels, ambiguous rows and systematic confusions.',
    ),
  );
  return section('evaluation', 'Evaluation', `The kept model scored once on the ${h(split)} split, which no training or tuning decision saw.`, parts.filter(Boolean).join('\n'));
}
