/**
 * A real Temporal dev server for workflow tests, started from the cached CLI binary (the SDK's default download
 * is impossible offline), with Gauntlet's search attributes registered.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureBinary } from '../../deploy/dev/binaries.js';
import { searchAttributes } from '../../contracts/pipeline.js';

export async function createLocalTemporal(): Promise<TestWorkflowEnvironment> {
  const path = await ensureBinary('temporal');
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--log-level', 'error'],
    },
  });
}
