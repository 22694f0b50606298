/**
 * Nightly retraining on a real Temporal dev server (+ MinIO), through the real CLI: `gauntlet schedule` creates,
 * lists, describes, pauses, triggers and deletes Temporal Schedules. No worker runs: a schedule that fires starts a
 * `pipelineWorkflow` execution whether or not anyone picks it up, and that execution is what is checked (its type,
 * arguments and search attributes). The schedule's page in the Temporal UI is opened in Chromium
 * (test-output/screenshots/schedule-ui.png).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, defaultPayloadConverter } from '@temporalio/client';
import puppeteer from 'puppeteer-core';
import { z } from 'zod';
import { searchAttributes } from '../../contracts/pipeline.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { chromiumPath, screenshotsDir } from '../support/browser.js';
import { runCli } from '../support/cli.js';

const PIPELINE = 'sched-test';

const Run = z.object({ workflowId: z.string(), execution: z.string().nullable(), status: z.string().nullable() });
const Entry = z.object({ name: z.string(), pipeline: z.string().nullable(), cron: z.string().nullable(), timezone: z.string(), paused: z.boolean(), note: z.string().nullable(), lastRun: Run.nullable() });
const View = Entry.extend({
  specName: z.string().nullable(),
  specFile: z.string().nullable(),
  trigger: z.unknown(),
  workflowType: z.string(),
  workflowIdPrefix: z.string().nullable(),
  overlap: z.string(),
  catchupWindow: z.string(),
  nextRuns: z.array(z.string()),
  recentActions: z.array(Run),
});
const RunEntry = z.object({ runId: z.string(), pipeline: z.string().nullable(), status: z.string().nullable(), stage: z.string().nullable() });

/** Until `check` gives a value (visibility is eventually consistent), or fail saying what was awaited. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('gauntlet schedule on a real Temporal', () => {
  let stack: TestStack;
  let connection: Connection;
  let client: Client;
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-schedule-'));
  const specFile = join(dir, 'pipeline.yaml');
  const badFile = join(dir, 'bad.yaml');

  const cli = async (args: string[], env: Record<string, string> = {}) => runCli(args, { ...stack.env, ...env }, 60_000);
  const json = async <T>(schema: z.ZodType<T>, args: string[]): Promise<T> => {
    const result = await cli(args);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    return schema.parse(JSON.parse(result.stdout));
  };
  const describeSchedule = (name: string) => json(View, ['schedule', 'describe', name, '--json']);
  const listed = async (name: string, extra: string[] = []) => (await json(z.array(Entry), ['schedule', 'list', '--json', ...extra])).find((entry) => entry.name === name);

  before(async () => {
    stack = await startTestStack({ worker: false });
    connection = await Connection.connect({ address: stack.temporalAddress });
    client = new Client({ connection, namespace: stack.namespace });
    writeFileSync(join(dir, 'data.csv'), 'x,label\n1,0\n2,1\n');
    writeFileSync(
      specFile,
      `apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${PIPELINE}
data: { source: "file:data.csv", labelColumn: label }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
`,
    );
    // The good file and one unknown key: exactly one problem.
    writeFileSync(badFile, `${readFileSync(specFile, 'utf8')}bogus: 1\n`);
  });
  after(async () => {
    // Nothing works on the started runs: end them so the server has nothing pending when it stops.
    for await (const execution of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
      await client.workflow.getHandle(execution.workflowId).terminate('test over').catch(() => undefined);
    }
    await connection?.close();
    await stack?.stop();
  });

  test('GIVEN a valid pipeline WHEN scheduled nightly in Berlin THEN it is listed and describe shows cron, time zone, overlap and the pipeline', async () => {
    const created = await cli(['schedule', 'create', 'nightly', '--pipeline', specFile, '--cron', '0 2 * * *', '--timezone', 'Europe/Berlin', '--overlap', 'buffer-one', '--catchup-window', '1h']);
    assert.equal(created.code, 0, created.stderr + created.stdout);
    assert.match(created.stdout, /schedule nightly created: pipeline sched-test, cron "0 2 \* \* \*" \(Europe\/Berlin\), overlap buffer-one/);
    assert.match(created.stdout, /runs are named +sched-test-sched-nightly-<scheduled time>/);

    const view = await describeSchedule('nightly');
    assert.equal(view.pipeline, PIPELINE);
    assert.equal(view.specName, PIPELINE);
    assert.equal(view.specFile, specFile);
    assert.equal(view.cron, '0 2 * * *');
    assert.equal(view.timezone, 'Europe/Berlin');
    assert.equal(view.overlap, 'buffer-one');
    assert.equal(view.catchupWindow, '1h');
    assert.equal(view.workflowType, 'pipelineWorkflow');
    assert.equal(view.workflowIdPrefix, 'sched-test-sched-nightly');
    assert.deepEqual(view.trigger, { kind: 'schedule', schedule: 'nightly' });
    assert.equal(view.paused, false);
    // Temporal computed the firings in Berlin time: 02:00 there, every day.
    const berlinHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    assert.ok(view.nextRuns.length >= 2);
    for (const next of view.nextRuns) assert.equal(berlinHour.format(new Date(next)), '02:00');

    const entry = await eventually('nightly in schedule list', () => listed('nightly'));
    assert.equal(entry.pipeline, PIPELINE);
    assert.equal(entry.cron, '0 2 * * *');
    assert.equal(entry.timezone, 'Europe/Berlin');
    assert.ok(await listed('nightly', ['--pipeline', PIPELINE]), 'list --pipeline finds it by GauntletPipeline on the schedule');
    assert.equal(await listed('nightly', ['--pipeline', 'other']), undefined);
    const text = await cli(['schedule', 'list']);
    assert.match(text.stdout, /nightly +│ sched-test +│ 0 2 \* \* \* \(Europe\/Berlin\) +│ active/);
  });

  test('GIVEN a bad pipeline file THEN exit 2 with the problem and no schedule', async () => {
    const result = await cli(['schedule', 'create', 'bad-file', '--pipeline', badFile, '--cron', '0 2 * * *']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /cannot create schedule bad-file: 1 problem\(s\)/);
    assert.match(result.stderr, /bad\.yaml: bogus: unknown key/);
    const missing = await cli(['schedule', 'describe', 'bad-file']);
    assert.equal(missing.code, 2);
  });

  test('GIVEN a bad cron and time zone THEN exit 2 listing both; a spec Temporal itself rejects is exit 2 too', async () => {
    const result = await cli(['schedule', 'create', 'bad-cron', '--pipeline', specFile, '--cron', '61 2 * * *', '--timezone', 'Mars/Olympus']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--cron: minute "61": "61" is not 0–59/);
    assert.match(result.stderr, /--timezone: unknown time zone "Mars\/Olympus"/);
    const tooOften = await cli(['schedule', 'create', 'too-often', '--pipeline', specFile, '--cron', '@every 0s']);
    assert.equal(tooOften.code, 2, tooOften.stderr);
    assert.match(tooOften.stderr, /Temporal rejected schedule too-often: /);
    assert.equal((await cli(['schedule', 'describe', 'bad-cron'])).code, 2);
  });

  test('GIVEN an existing name THEN exit 2 saying so', async () => {
    const result = await cli(['schedule', 'create', 'nightly', '--pipeline', specFile, '--cron', '0 3 * * *']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /schedule nightly already exists \(delete it first or pick another name\)/);
  });

  test('GIVEN a schedule WHEN paused with a note and unpaused THEN describe and list show it', async () => {
    const paused = await cli(['schedule', 'pause', 'nightly', '--note', 'data migration until Friday']);
    assert.equal(paused.code, 0, paused.stderr);
    let view = await describeSchedule('nightly');
    assert.equal(view.paused, true);
    assert.equal(view.note, 'data migration until Friday');
    await eventually('the pause in schedule list', async () => ((await listed('nightly'))?.paused ? true : undefined));

    const unpaused = await cli(['schedule', 'unpause', 'nightly']);
    assert.equal(unpaused.code, 0, unpaused.stderr);
    view = await describeSchedule('nightly');
    assert.equal(view.paused, false);
    assert.equal(view.note, `pipeline ${PIPELINE} · ${specFile}`, 'the note names the pipeline again');
  });

  test('GIVEN a schedule WHEN triggered THEN a pipelineWorkflow starts with the stored spec, the trigger and the pipeline’s search attributes', async () => {
    const result = await cli(['schedule', 'trigger', 'nightly']);
    assert.equal(result.code, 0, result.stderr);
    const workflowId = /started (\S+)/.exec(result.stdout)?.[1] ?? '';
    assert.match(workflowId, /^sched-test-sched-nightly-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const execution = await eventually('the triggered run in visibility', async () => {
      for await (const found of client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowId)}` })) return found;
      return undefined;
    });
    assert.equal(execution.type, 'pipelineWorkflow');
    assert.equal(execution.taskQueue, stack.taskQueue);
    assert.equal(execution.typedSearchAttributes.get(searchAttributes.pipeline), PIPELINE);
    assert.equal(execution.typedSearchAttributes.get(searchAttributes.status), 'running');
    assert.equal(execution.typedSearchAttributes.get(searchAttributes.stage), 'queued');

    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.ok(payload, 'the run has an input');
    const input = z
      .object({ spec: z.looseObject({ name: z.string(), data: z.looseObject({ source: z.string() }) }), specFile: z.string(), trigger: z.unknown() })
      .parse(defaultPayloadConverter.fromPayload(payload));
    assert.equal(input.spec.name, PIPELINE);
    assert.equal(input.spec.data.source, `file:${join(dir, 'data.csv')}`, 'paths in the spec are resolved from the pipeline file');
    assert.equal(input.specFile, specFile);
    assert.deepEqual(input.trigger, { kind: 'schedule', schedule: 'nightly' });

    const view = await describeSchedule('nightly');
    assert.deepEqual(view.recentActions.map((run) => run.workflowId), [workflowId]);
    assert.equal(view.lastRun?.status, 'running');
    const runs = await eventually('runs list --schedule nightly', async () => {
      const found = await json(z.array(RunEntry), ['runs', 'list', '--schedule', 'nightly', '--json']);
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(runs.map((run) => run.runId), [workflowId]);
    assert.equal((await eventually('the last run in schedule list', () => listed('nightly').then((entry) => entry?.lastRun ?? undefined))).workflowId, workflowId);
  });

  test('GIVEN a cron every five seconds THEN the schedule fires by itself, naming the run after its scheduled time', async () => {
    const created = await cli(['schedule', 'create', 'every-five', '--pipeline', specFile, '--cron', '*/5 * * * * * *']);
    assert.equal(created.code, 0, created.stderr);
    const workflowId = await eventually('a run started by the cron', async () => {
      for await (const found of client.workflow.list({ query: `TemporalScheduledById = 'every-five'` })) return found.workflowId;
      return undefined;
    });
    const scheduledAt = /^sched-test-sched-every-five-(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(workflowId)?.[1];
    assert.ok(scheduledAt, workflowId);
    assert.equal(new Date(scheduledAt).getUTCSeconds() % 5, 0);
    assert.equal((await cli(['schedule', 'delete', 'every-five'])).code, 0);
  });

  test('GIVEN runs that failed, were stopped by a gate or still run THEN runs list --status finds each', async () => {
    const start = (id: string, status: string) =>
      client.workflow.start('pipelineWorkflow', {
        workflowId: id,
        taskQueue: 'nobody-listens',
        args: [],
        typedSearchAttributes: [
          { key: searchAttributes.pipeline, value: 'status-test' },
          { key: searchAttributes.status, value: status },
        ],
      });
    await start('status-test-failed', 'failed');
    await start('status-test-gate', 'stopped_by_gate');
    await start('status-test-running', 'running');
    const ids = (statuses: string) => json(z.array(RunEntry), ['runs', 'list', '--pipeline', 'status-test', '--status', statuses, '--json']).then((runs) => runs.map((run) => run.runId).sort());
    await eventually('three runs in visibility', async () => ((await ids('failed,stopped_by_gate,running')).length === 3 ? true : undefined));
    assert.deepEqual(await ids('failed'), ['status-test-failed']);
    assert.deepEqual(await ids('failed,stopped_by_gate'), ['status-test-failed', 'status-test-gate']);
    const bad = await cli(['runs', 'list', '--status', 'broken']);
    assert.equal(bad.code, 2);
  });

  test('GIVEN the Temporal UI THEN the schedule’s page names the pipeline', async () => {
    const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: false, args: ['--no-sandbox', '--headless=new', '--disable-gpu'], timeout: 30_000 });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 1000 });
      await page.goto(`${stack.uiUrl}/namespaces/${stack.namespace}/schedules/nightly`, { waitUntil: 'networkidle0', timeout: 30_000 });
      // The UI renders after its API calls; wait for the note rather than a fixed time. A string: no DOM types here.
      await page.waitForFunction(`document.body.innerText.includes('pipeline ${PIPELINE}')`, { timeout: 20_000 });
      const text = z.string().parse(await page.evaluate('document.body.innerText'));
      assert.match(text, /pipelineWorkflow/);
      assert.match(text, new RegExp(`"name": "${PIPELINE}"`), 'the stored spec is the schedule input');
      mkdirSync(screenshotsDir, { recursive: true });
      await page.screenshot({ path: join(screenshotsDir, 'schedule-ui.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  test('GIVEN a schedule WHEN deleted THEN describe, pause, unpause, trigger and delete say it is missing (exit 2); its runs stay', async () => {
    const deleted = await cli(['schedule', 'delete', 'nightly']);
    assert.equal(deleted.code, 0, deleted.stderr);
    for (const command of ['describe', 'pause', 'unpause', 'trigger', 'delete']) {
      const result = await cli(['schedule', command, 'nightly']);
      assert.equal(result.code, 2, `${command}: ${result.stderr}`);
      assert.match(result.stderr, /no schedule "nightly"/);
    }
    const runs = await json(z.array(RunEntry), ['runs', 'list', '--schedule', 'nightly', '--json']);
    assert.equal(runs.length, 1);
  });

  test('GIVEN Temporal cannot be reached THEN exit 3', async () => {
    const result = await cli(['schedule', 'list'], { GAUNTLET_TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /gauntlet dev up/);
  });
});
