/**
 * A deliberately incompatible change to the pipeline workflow (a timer before the first stage), used by the replay
 * test to show that replay catches such a change: every recorded pipeline history starts with the ingest activity.
 */
import { sleep } from '@temporalio/workflow';
import type { PipelineInput, PipelineResult } from '../../contracts/pipeline.js';
import { pipelineWorkflow as current } from '../../workflows/pipeline.js';

export { sweepWorkflow } from '../../workflows/sweep.js';

export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  await sleep('1s');
  return current(input);
}
