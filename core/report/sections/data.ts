/** The data section: what the data set is, rows joined with their labels as the data really is, class balance, checks. */
import { barChart } from '../bars.js';
import { PALETTE } from '../chart.js';
import { h, num, pct } from '../format.js';
import { facts, plot, section, subsection, type Html } from '../html.js';
import { className, sampleGallery } from '../samples.js';
import type { DataSection } from '../types.js';
import { checksBlock } from './checks.js';

export function dataSection(data: DataSection): Html {
  const { classes, view } = data;
  const shape = view.image
    ? `images of ${view.image.width}×${view.image.height} pixels (values 0 = paper … ${num(view.image.maxValue)} = ink), shown as images`
    : `${view.columns.length} feature columns, shown as table rows`;
  const info = facts([
    ['Source', `<code>${h(data.source)}</code>`],
    ...(data.snapshot ? ([['Snapshot', `<code>${h(data.snapshot.name)}</code> <span class="muted">(${h(data.snapshot.location)})</span>`]] as Array<[string, Html]>) : []),
    ['Rows', h(num(data.rows))],
    ['Classes', `${classes.length}: ${h(classes.join(', '))}`],
    ['Features', h(shape)],
    ...(data.sha256 ? ([['SHA-256', `<code>${h(data.sha256)}</code>`]] as Array<[string, Html]>) : []),
  ]);
  const total = data.classCounts.reduce((sum, n) => sum + n, 0);
  const smallest = Math.min(...data.classCounts);
  const largest = Math.max(...data.classCounts);
  const balance = plot(
    barChart({
      title: 'Rows per class',
      categories: classes,
      groups: [{ name: 'rows', colour: PALETTE[0]!, values: data.classCounts }],
      xLabel: 'class',
      yLabel: 'rows',
      format: (v) => num(v),
    }),
    `Rows per class over the whole data set. The smallest class has ${h(num(smallest))} row${smallest === 1 ? '' : 's'} (${h(pct(total ? smallest / total : null))}), the largest ${h(num(largest))} (${h(pct(total ? largest / total : null))})${largest > 3 * smallest ? ': unbalanced, so accuracy alone can mislead; read the per-class recall under Evaluation' : ''}.`,
  );
  // Images: a row of pictures per class. Table rows: one table, a few rows of each class in turn.
  const perClass = view.image
    ? data.examples
        .map(({ label, samples }) => {
          const items = samples.map((sample) => ({ sample, caption: `row ${sample.row}` }));
          return `<div class="class-row"><div class="class-name">${h(className(classes, label))}</div>${sampleGallery(items, view, classes)}</div>`;
        })
        .join('\n')
    : sampleGallery(
        data.examples.flatMap(({ samples }) => samples.slice(0, 3).map((sample) => ({ sample, caption: '' }))),
        view,
        classes,
      );
  const spread = sampleGallery(
    data.samples.map((sample) => ({ sample, caption: view.image ? `row ${sample.row} · <b>${h(className(classes, sample.label))}</b>` : '' })),
    view,
    classes,
  );
  const parts = [
    info,
    subsection('Rows per class', balance),
    subsection(
      'Examples of each class',
      perClass,
      view.image ? 'A few rows of every class, each drawn from its features: a label that does not match its picture is a labeling error.' : 'A few rows of every class with every feature value.',
    ),
    subsection('Rows across the data set', spread, 'Rows spread evenly over the file, each joined with its label, exactly as the trainer reads them.'),
  ];
  if (data.checks?.length) parts.push(subsection('Data checks', checksBlock(data.checks, view, classes), 'Checks run on the data before any training: duplicates (pairs shown side by side), leakage (columns that predict the label too well), schema.'));
  return section('data', 'Data', 'The data set the model was trained and tested on, shown as the data really is: every row joined with its label.', parts.join('\n'));
}
