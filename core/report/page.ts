/**
 * The run report as one self-contained HTML page: inline CSS, inline SVG plots, images as data: URIs, no script and
 * nothing fetched, so it reads the same from MinIO, an e-mail attachment or a laptop with no service running. Every
 * piece of text from a run (class names, column names, messages) is escaped.
 */
import { h, utc } from './format.js';
import type { Html } from './html.js';
import { curvesSection } from './sections/curves.js';
import { dataSection } from './sections/data.js';
import { evaluationSection } from './sections/evaluation.js';
import { gatesSection } from './sections/gates.js';
import { labelingSection } from './sections/labeling.js';
import { lrFindSection } from './sections/lrFind.js';
import { modelsSection } from './sections/models.js';
import { runHeader } from './sections/run.js';
import { scheduleSection } from './sections/schedule.js';
import { splitsSection } from './sections/splits.js';
import { sweepSection } from './sections/sweep.js';
import { STYLE } from './style.js';
import type { ReportData } from './types.js';

/** Section ids and titles in page order: the table of contents and the tests read this list. */
export const REPORT_SECTIONS = [
  ['data', 'Data'],
  ['labeling', 'Labeling'],
  ['splits', 'Splits'],
  ['gates', 'Gates'],
  ['lr-find', 'LR range test'],
  ['schedule', 'One-cycle schedule'],
  ['curves', 'Learning curves'],
  ['sweep', 'Sweep'],
  ['models', 'Models'],
  ['evaluation', 'Evaluation'],
] as const;
export type ReportSectionId = (typeof REPORT_SECTIONS)[number][0];

/** The sections `data` has, in page order. */
export function presentSections(data: ReportData): ReportSectionId[] {
  const present: Record<ReportSectionId, boolean> = {
    data: data.data !== undefined,
    labeling: data.labeling !== undefined,
    splits: data.splits !== undefined,
    gates: data.gates !== undefined,
    'lr-find': data.lrFind !== undefined,
    schedule: data.schedule !== undefined,
    curves: data.curves !== undefined,
    sweep: data.sweep !== undefined,
    models: data.models !== undefined,
    evaluation: data.evaluation !== undefined,
  };
  return REPORT_SECTIONS.map(([id]) => id).filter((id) => present[id]);
}

function sectionHtml(data: ReportData, id: ReportSectionId): Html {
  const view = data.data?.view ?? data.evaluation?.view ?? { columns: [], image: null };
  switch (id) {
    case 'data':
      return dataSection(data.data!);
    case 'labeling':
      return labelingSection(data.labeling!);
    case 'splits':
      return splitsSection(data.splits!, view);
    case 'gates':
      return gatesSection(data.gates!);
    case 'lr-find':
      return lrFindSection(data.lrFind!);
    case 'schedule':
      return scheduleSection(data.schedule!);
    case 'curves':
      return curvesSection(data.curves!);
    case 'sweep':
      return sweepSection(data.sweep!);
    case 'models':
      return modelsSection(data.models!);
    case 'evaluation':
      return evaluationSection(data.evaluation!);
  }
}

export function renderReport(data: ReportData): string {
  const ids = presentSections(data);
  const titles = new Map<string, string>(REPORT_SECTIONS);
  const toc = ids.map((id) => `<a href="#${id}">${h(titles.get(id) ?? id)}</a>`).join('\n');
  const notes = data.notes?.length
    ? `<div class="notes"><b>Parts of this run could not be shown:</b><ul>${data.notes.map((note) => `<li>${h(note)}</li>`).join('')}</ul></div>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(data.run.runId)} · Gauntlet run report</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<div class="page">
<nav class="toc"><b>Contents</b>
<a href="#top">Run</a>
${toc}
</nav>
<main id="top">
${runHeader(data.run)}
${notes}
${ids.map((id) => sectionHtml(data, id)).join('\n')}
<footer>Made by <code>gauntlet report</code>${data.generatedAt ? ` on ${h(utc(data.generatedAt))}` : ''} from the run's manifest and artifacts. One self-contained page: it needs no network and no running service.</footer>
</main>
</div>
</body>
</html>
`;
}
