/**
 * The `record` stage: the run manifest (what ran, on which data, with which results) and the run report a person
 * reads, both next to each other in the store. A run stopped by a gate records too, so its report shows why (the
 * duplicate pairs, the leak suspect, the labels that disagree). A report that cannot be made only notes it: the run's
 * outcome does not depend on its page.
 */
import { patched, upsertMemo } from '@temporalio/workflow';
import type { ManifestRequest } from '../activities/types.js';
import { rootCauseMessage } from '../core/errors.js';
import type { RunContext } from './stages.js';

export async function record(ctx: RunContext, request: ManifestRequest): Promise<{ manifestUri: string; reportUri: string | null }> {
  const { quick, tracker } = ctx;
  const manifestUri = await quick.writeRunManifest.executeWithOptions({ summary: 'record · run manifest' }, [request]);
  tracker.progress.manifestUri = manifestUri;
  let reportUri: string | null = null;
  // Runs started before the report existed replay without it (README: changing workflow code).
  if (patched('run-report')) {
    try {
      reportUri = await quick.writeRunReport.executeWithOptions({ summary: 'record · run report', startToCloseTimeout: '5m' }, [{ runId: tracker.progress.runId }]);
      tracker.progress.reportUri = reportUri;
      upsertMemo({ reportUri });
    } catch (error) {
      tracker.noteRetry(`the run report could not be made: ${rootCauseMessage(error)}`);
    }
  }
  return { manifestUri, reportUri };
}
