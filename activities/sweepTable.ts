/** Writes the sweep's trial table to the store as it grows, so the table outlives the workflow and its histories. */
import { Context } from '@temporalio/activity';
import type { TrialRecord } from '../workflows/sweepTypes.js';
import type { ArtifactStore } from './store.js';

export function createWriteTrialTable(deps: { store: ArtifactStore }) {
  return async function writeTrialTable(request: { trials: TrialRecord[] }): Promise<string> {
    const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'unknown';
    return deps.store.putJson(`runs/${workflowId}/trials.json`, { updatedAt: new Date().toISOString(), trials: request.trials });
  };
}
