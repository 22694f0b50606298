/**
 * `schedule trigger`: Temporal takes the action asynchronously and the SDK's trigger() returns nothing, so the
 * started run's id is read back from the schedule's recent actions, waiting a few seconds at most.
 */
import type { ScheduleHandle } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';

const WAIT_MS = 10_000;
const POLL_MS = 250;

/** The workflow id of the run the trigger started, or null when it has not shown up within the wait. */
export async function triggerAndFindRun(handle: ScheduleHandle): Promise<string | null> {
  const before = await handle.describe();
  const seen = new Set(before.info.recentActions.map((action) => action.action.workflow.workflowId));
  // ALLOW_ALL (the SDK's default for a trigger): a person asking for a run now gets one even while a nightly runs.
  await handle.trigger();
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const after = await handle.describe();
    const started = after.info.recentActions.find((action) => !seen.has(action.action.workflow.workflowId));
    if (started) return started.action.workflow.workflowId;
    await sleep(POLL_MS);
  }
  return null;
}
