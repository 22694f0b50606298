/**
 * The promote and approve stages (real dev server, fake activities): a rule that promotes, a run that waits in
 * stage approve until a person decides (an early decision refused: the run is not waiting yet), approval and
 * rejection recorded in the registry's history with their reasons.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Activities } from '../../activities/index.js';
import type { JobRequest } from '../../activities/types.js';
import { rootCauseMessage } from '../../core/errors.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { approveUpdate, progressQuery } from '../../contracts/pipeline.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { fakeActivities, NO_DATA_CHECKS } from '../support/fakeActivities.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const spec = (name: string, when: string) =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "sklearn:digits" }
${NO_DATA_CHECKS}
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
promote: { when: ${when} }`);

type Promote = Parameters<Activities['promoteModel']>[0];
type Verdict = Parameters<Activities['recordPromotionVerdict']>[0];

describe('promote and approve (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  async function run(id: string, when: string, drive: (handle: ReturnType<typeof env.client.workflow.getHandle>, releaseEvaluate: () => void) => Promise<void>) {
    const promoted: Promote[] = [];
    const verdicts: Verdict[] = [];
    let release: () => void = () => undefined;
    const evaluateMay = new Promise<void>((resolve) => (release = resolve));
    const base = fakeActivities();
    const activities = fakeActivities({
      // The evaluate job waits for the test: a decision sent before it is sent before the run can be waiting.
      runJob: async (request: JobRequest) => {
        if (request.mode === 'evaluate') await evaluateMay;
        return base.runJob(request);
      },
      promoteModel: async (request) => {
        promoted.push(request);
        return base.promoteModel(request);
      },
      recordPromotionVerdict: async (request) => {
        verdicts.push(request);
        return base.recordPromotionVerdict(request);
      },
    });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities });
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: spec(id, when) }] });
      await drive(env.client.workflow.getHandle(id), release);
      const ended = await handle.result().catch((error: unknown) => assert.fail(rootCauseMessage(error)));
      return { ended, progress: await handle.query(progressQuery) };
    });
    return { result: result.ended, promoted, verdicts, progress: result.progress };
  }

  const waitingForApproval = async (handle: ReturnType<typeof env.client.workflow.getHandle>) => {
    for (let tries = 0; tries < 600; tries++) {
      const progress = await handle.query(progressQuery);
      if (progress.stages.find((stage) => stage.stage === 'approve')?.status === 'running') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail('the run never waited in stage approve');
  };

  test('GIVEN promote.when always and no champion WHEN the run ends THEN its model is promoted by the rule, with an interval on its headline', async () => {
    const { promoted, progress } = await run('promote-always', 'always', async (_handle, release) => release());
    assert.equal(promoted.length, 1);
    assert.equal(promoted[0]!.by, 'rule');
    assert.equal(promoted[0]!.candidate.headline.name, 'test_accuracy');
    assert.ok(promoted[0]!.candidate.headline.low !== null && promoted[0]!.candidate.headline.low < promoted[0]!.candidate.headline.estimate);
    assert.deepEqual(progress.stages.filter((stage) => stage.stage === 'promote' || stage.stage === 'approve').map((stage) => stage.status), ['succeeded', 'skipped']);
  });

  test('GIVEN promote.when manual WHEN a person approves too early THEN it is refused; once the run waits in approve, the approval promotes it', async () => {
    const { promoted, progress } = await run('promote-manual', 'manual', async (handle, release) => {
      const early = await handle.executeUpdate(approveUpdate, { args: [{ approve: true, by: 'ana' }] }).catch((e: unknown) => e);
      assert.ok(early instanceof WorkflowUpdateFailedError);
      // Refused whether it lands before the first stage starts (`it is running`) or during one (`it is in stage ingest`).
      assert.match(rootCauseMessage(early), /the run is not waiting for approval \((it is in stage \w+|it is running)\)/);
      release();
      await waitingForApproval(handle);
      assert.deepEqual(await handle.executeUpdate(approveUpdate, { args: [{ approve: true, by: 'ana', reason: 'looks right' }] }), { decision: 'approved' });
    });
    assert.equal(promoted.length, 1);
    assert.equal(promoted[0]!.by, 'manual');
    assert.match(promoted[0]!.reasons.join(' '), /approved by ana: looks right/);
    assert.equal(progress.stages.find((stage) => stage.stage === 'approve')?.status, 'succeeded');
  });

  test('GIVEN promote.when manual WHEN a person rejects THEN nothing is promoted and the history records why', async () => {
    const { promoted, verdicts, result } = await run('promote-reject', 'manual', async (handle, release) => {
      release();
      await waitingForApproval(handle);
      await handle.executeUpdate(approveUpdate, { args: [{ approve: false, by: 'ana', reason: 'test set too small' }] });
    });
    assert.equal(promoted.length, 0);
    assert.equal(verdicts.length, 1);
    assert.equal(verdicts[0]!.verdict, 'kept');
    assert.match(verdicts[0]!.reasons.join(' '), /rejected by ana: test set too small/);
    assert.equal(result.status, 'succeeded');
  });
});
