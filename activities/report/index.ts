/** The run report's side of the store: collect a run's artifacts into ReportData, and the activity that stores the page. */
export { BadManifestError, collectReportData, manifestKey, NoManifestError, reportKey } from './collect.js';
export { createReportActivities, type ReportDeps } from './activity.js';
