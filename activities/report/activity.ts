/**
 * The report activity: collects a run's artifacts and stores its report next to the manifest,
 * `runs/<run>/report.html`, so `gauntlet report`, the run's memo and `gauntlet status` can link one page.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { renderReport } from '../../core/report/page.js';
import type { ArtifactStore } from '../store.js';
import { BadManifestError, collectReportData, NoManifestError, reportKey } from './collect.js';

export interface ReportDeps {
  store: ArtifactStore;
  now?: () => Date;
}

export function createReportActivities(deps: ReportDeps) {
  return {
    /** Call after writeRunManifest (the report reads the manifest); returns the report's s3:// URI. Idempotent. */
    async writeRunReport(request: { runId: string }): Promise<string> {
      let data;
      try {
        data = await collectReportData(deps.store, request.runId, deps.now ? { now: deps.now } : {});
      } catch (error) {
        // Asking again will not make a manifest appear.
        if (error instanceof NoManifestError || error instanceof BadManifestError) throw ApplicationFailure.nonRetryable(error.message, 'BadInput');
        throw error;
      }
      return deps.store.putBytes(reportKey(request.runId), renderReport(data), 'text/html; charset=utf-8');
    },
  };
}
