/** The run report: `renderReport(data)` → one self-contained HTML page. Pure; the collector is activities/report/. */
export { presentSections, renderReport, REPORT_SECTIONS, type ReportSectionId } from './page.js';
export { inferImageView } from './samples.js';
export { classMetrics, macro, type ClassMetrics } from './classMetrics.js';
export type * from './types.js';
