/** `gauntlet schedule` without a server: the flag and cron checks, and exactly what a schedule asks Temporal to start. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStatuses, runsQuery } from '../../cli/commands/runs.js';
import { CliError } from '../../cli/errors.js';
import { pipelineScheduleOptions } from '../../cli/schedule/action.js';
import { cronProblems } from '../../cli/schedule/cron.js';
import { parseCreateFlags } from '../../cli/schedule/options.js';
import { formatDuration, overlapName } from '../../cli/schedule/view.js';
import { searchAttributes } from '../../contracts/pipeline.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';

const SPEC = loadPipelineYaml(`apiVersion: gauntlet.dev/v1
kind: Pipeline
name: digits
data: { source: "sklearn:digits" }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
`);

describe('cron check', () => {
  test('GIVEN the forms Temporal accepts THEN no problem', () => {
    for (const cron of ['0 2 * * *', '*/15 * * * *', '0 2 * * MON-FRI', '0 0 1 jan *', '0 2 * * 7', '0 2 * * * 2027', '*/5 * * * * * *', '@daily', '@every 1h/15m', '0,30 8-18/2 * * 1-5']) {
      assert.deepEqual(cronProblems(cron), [], cron);
    }
  });

  test('GIVEN typos THEN one line per bad field, naming it', () => {
    assert.deepEqual(cronProblems('61 2 * * *'), ['minute "61": "61" is not 0–59']);
    assert.deepEqual(cronProblems('0 24 * * FUN'), ['hour "24": "24" is not 0–23', 'day of week "FUN": "FUN" is not 0–7 or SUN–SAT']);
    assert.match(cronProblems('0 2 * *')[0] ?? '', /has 4 field\(s\); expected 5/);
    assert.match(cronProblems('5-1 * * * *')[0] ?? '', /runs backwards/);
    assert.match(cronProblems('*/0 * * * *')[0] ?? '', /step "0" must be a positive whole number/);
    assert.match(cronProblems('@nightly')[0] ?? '', /unknown shorthand/);
    assert.match(cronProblems('CRON_TZ=Europe/Berlin 0 2 * * *')[0] ?? '', /--timezone/);
    assert.deepEqual(cronProblems(' '), ['is empty']);
  });
});

describe('schedule create flags', () => {
  test('GIVEN only the required flags THEN UTC, overlap skip, not paused, Temporal’s catch-up window', () => {
    const result = parseCreateFlags({ name: 'nightly', pipeline: 'p.yaml', cron: '0 2 * * *' });
    assert.ok(result.ok);
    assert.deepEqual(result.flags, { name: 'nightly', pipeline: 'p.yaml', cron: '0 2 * * *', timezone: 'UTC', overlap: 'skip', paused: false });
  });

  test('GIVEN a time zone in the wrong case THEN the name Temporal’s server can load', () => {
    const result = parseCreateFlags({ name: 'n', pipeline: 'p.yaml', cron: '@daily', timezone: 'europe/berlin' });
    assert.ok(result.ok);
    assert.equal(result.flags.timezone, 'Europe/Berlin');
  });

  test('GIVEN several bad flags THEN every problem, each naming its flag', () => {
    const result = parseCreateFlags({ name: 'Nightly_1', pipeline: 'p.yaml', cron: '0 2 * *', timezone: 'Mars/Olympus', overlap: 'never', catchupWindow: '5s', note: '' });
    assert.ok(!result.ok);
    const flags = result.problems.map((problem) => problem.split(':')[0]);
    assert.deepEqual(flags, ['NAME', '--cron', '--timezone', '--overlap', '--catchup-window', '--note']);
  });
});

describe('what a schedule starts', () => {
  test('GIVEN a validated spec THEN pipelineWorkflow with { spec, specFile, trigger }, the run’s search attributes and the memo', () => {
    const flags = parseCreateFlags({ name: 'nightly', pipeline: 'p.yaml', cron: '0 2 * * *', timezone: 'Europe/Berlin', overlap: 'buffer-one', catchupWindow: '1h', paused: true });
    assert.ok(flags.ok);
    const options = pipelineScheduleOptions(flags.flags, SPEC, '/pipelines/p.yaml', 'gauntlet');
    assert.equal(options.scheduleId, 'nightly');
    assert.deepEqual(options.spec, { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Berlin' });
    assert.equal(options.action.workflowType, 'pipelineWorkflow');
    assert.equal(options.action.taskQueue, 'gauntlet');
    assert.equal(options.action.workflowId, 'digits-sched-nightly');
    assert.deepEqual(options.action.args, [{ spec: SPEC, specFile: '/pipelines/p.yaml', trigger: { kind: 'schedule', schedule: 'nightly' } }]);
    assert.deepEqual(options.action.typedSearchAttributes, [
      { key: searchAttributes.pipeline, value: 'digits' },
      { key: searchAttributes.status, value: 'running' },
      { key: searchAttributes.stage, value: 'queued' },
    ]);
    assert.deepEqual(options.policies, { overlap: 'BUFFER_ONE', catchupWindow: 3_600_000 });
    assert.deepEqual(options.state, { paused: true, note: 'pipeline digits · /pipelines/p.yaml' });
    assert.deepEqual(options.memo, { pipeline: 'digits', specFile: '/pipelines/p.yaml', cron: '0 2 * * *', timezone: 'Europe/Berlin' });
  });

  test('GIVEN what describe returns THEN the CLI’s names', () => {
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(365 * 86_400_000), '365d');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(overlapName('CANCEL_OTHER'), 'cancel-other');
    assert.equal(overlapName('ALLOW_ALL'), 'allow-all');
  });
});

describe('runs list filters', () => {
  test('GIVEN --status and --schedule THEN one visibility query', () => {
    assert.equal(
      runsQuery({ pipeline: 'digits', statuses: parseStatuses('failed, stopped_by_gate'), schedule: 'nightly' }),
      `WorkflowType = 'pipelineWorkflow' AND GauntletPipeline = "digits" AND GauntletStatus IN ("failed", "stopped_by_gate") AND TemporalScheduledById = "nightly"`,
    );
    assert.equal(runsQuery({}), `WorkflowType = 'pipelineWorkflow'`);
  });

  test('GIVEN an unknown status THEN exit 2 naming the valid ones', () => {
    assert.throws(() => parseStatuses('broken'), (error: unknown) => error instanceof CliError && error.exitCode === 2 && /stopped_by_gate/.test(error.message));
  });
});
