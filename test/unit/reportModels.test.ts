/**
 * The run report of a chain of models: the collector reads a two-stage manifest (as the workflow writes it) from a
 * store and the page shows the Models section (each model's scores, the hand-off, the attribution and which stage
 * to improve first) and the data snapshot, with no error in a real Chromium. Screenshot:
 * test-output/screenshots/report-two-stage.png. Manifests without `models` (every earlier run) are unchanged.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { collectReportData } from '../../activities/report/index.js';
import { presentSections, renderReport, REPORT_SECTIONS } from '../../core/report/index.js';
import { improveFirst } from '../../core/report/sections/models.js';
import type { ChainAttribution } from '../../core/report/types.js';
import { renderPage, screenshotsDir, type PageReport } from '../support/browser.js';
import { memoryStore } from '../support/memoryStore.js';
import { TWO_STAGE_RUN, twoStageModels, writeTwoStageRun } from '../support/twoStageManifest.js';

const tmp = mkdtempSync(join(tmpdir(), 'gauntlet-report-models-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SNAPSHOT = { name: '2026-11-30.csv', location: 'file:/data/incoming/2026-11-30.csv' };
const NOW = () => new Date('2026-11-30T03:00:00Z');

async function collect(options: Parameters<typeof writeTwoStageRun>[1]) {
  const { store } = memoryStore();
  await writeTwoStageRun(store, options);
  return collectReportData(store, TWO_STAGE_RUN, { now: NOW });
}

/** A present section's title is a line twice (heading and contents), an absent one never. */
function assertSections(page: PageReport, present: readonly string[]): void {
  const lines = page.text.split('\n').map((line) => line.trim());
  for (const [id, title] of REPORT_SECTIONS) assert.equal(lines.filter((line) => line === title).length, present.includes(id) ? 2 : 0, title);
}

describe('run report: a chain of models', () => {
  it('GIVEN a two-stage manifest WHEN the report is collected THEN each model, the hand-off and the attribution are read, with the upper bound', async () => {
    const report = await collect({ models: twoStageModels(), snapshot: SNAPSHOT });
    assert.equal(report.notes, undefined, 'every part was readable');
    assert.deepEqual(presentSections(report), ['data', 'splits', 'gates', 'models']);
    assert.deepEqual(report.data?.snapshot, SNAPSHOT);
    const models = report.models!;
    assert.equal(models.handoff, 'oof');
    assert.equal(models.confidence, 0.95, "the spec's evaluate.confidence");
    assert.deepEqual(
      models.models.map((m) => [m.name, m.labelColumn, m.input, m.testAccuracy, m.outOfFoldAccuracy, m.oracleAccuracy]),
      [
        ['locator', 'cell', null, 15 / 18, 73 / 84, null],
        ['reader', 'digit', { from: 'locator', as: 'cell_pred' }, 14 / 18, null, 16 / 18],
      ],
    );
    assert.deepEqual(models.models[1]!.handoff, { counts: { outOfFold: 84, final: 36, label: 0 }, outOfFoldChecked: 84 });
    const [attribution] = models.attribution;
    assert.deepEqual({ ...attribution!, accuracy: undefined }, { upstream: 'locator', downstream: 'reader', n: 18, correct: 14, stage1: 3, stage2: 1, accuracy: undefined, upperBound: 16 / 18 });
    assert.ok(attribution!.accuracy.low < 14 / 18 && 14 / 18 < attribution!.accuracy.high);
    assert.ok(report.run.spec.some(([what, how]) => what === 'models' && how.includes('reader (digit, reads locator as cell_pred)') && how.includes('hand-off oof')));
    assert.ok(report.run.spec.some(([what, how]) => what === 'gates' && how.endsWith('upper bound: each reading model on true inputs')), 'a chain turns the oracle gate off');
  });

  it('GIVEN that report WHEN Chromium opens it THEN the Models section reads right, with no console error', async () => {
    const html = renderReport(await collect({ models: twoStageModels(), snapshot: SNAPSHOT }));
    const file = join(tmp, 'two-stage.html');
    writeFileSync(file, html);
    const page = await renderPage(file, { screenshot: 'report-two-stage.png', viewport: { width: 1280, height: 900 } });
    assert.deepEqual([page.consoleErrors, page.pageErrors, page.failedRequests], [[], [], []]);
    assertSections(page, ['data', 'splits', 'gates', 'models']);
    assert.ok(page.images.length > 0 && page.images.every((image) => image.naturalWidth === 24), 'the canvases are drawn, 24×24');
    for (const text of [
      'A chain of 2 models trained from one data set (locator → reader)',
      "locator's predictions as cell_pred",
      'Improve locator first: it made 3 of the 4 end-to-end errors (75.0%), reader 1 (25.0%).',
      'Fed the true cell, reader reaches 88.9% against 77.8% end to end: a perfect locator would gain about 11.1 points; the last 11.1% are reader\'s own.',
      'Where the errors come from: locator → reader',
      '2026-11-30.csv',
      'goal not met',
    ]) {
      assert.ok(page.text.includes(text), `missing: ${text}`);
    }
    assert.match(page.text, /95% interval \d+\.\d% – \d+\.\d%/);
    assert.match(page.text, /locator wrong \(reader read a wrong input\)\s+3\s+16\.7%/);
    assert.ok(!/(^|[\s(:])(NaN|undefined)(?=[\s),.%]|$)/m.test(page.text), 'no unformatted values');
    assert.ok(statSync(join(screenshotsDir, 'report-two-stage.png')).size > 0);
  });

  it('GIVEN a manifest without models (a run of one model) THEN there is no Models section and nothing is noted', async () => {
    const report = await collect({});
    assert.equal(report.models, undefined);
    assert.equal(report.data?.snapshot, undefined, 'no snapshot recorded: none shown');
    assert.equal(report.notes, undefined);
    assert.ok(!renderReport(report).includes('<section id="models">'));
  });

  it('GIVEN a malformed models or snapshot THEN only that part is left out, with a note naming the field', async () => {
    const broken = twoStageModels();
    const report = await collect({ models: { ...broken, attribution: [{ upstream: 'locator' }] }, snapshot: '2026-11-30.csv' });
    assert.equal(report.models, undefined);
    assert.ok(report.data, 'the data section stays');
    assert.deepEqual(report.notes, ["data: the manifest's data.snapshot is not {name, location}", "models: the manifest's models.attribution.0.downstream: Invalid input: expected string, received undefined"]);
  });
});

describe('which stage to improve first', () => {
  const base: ChainAttribution = { upstream: 'locator', downstream: 'reader', n: 100, correct: 90, stage1: 2, stage2: 8, accuracy: { estimate: 0.9, low: 0.83, high: 0.94 }, upperBound: 0.92 };

  it('names the stage with more errors, and the gap to the upper bound', () => {
    assert.equal(
      improveFirst(base),
      "Improve reader first: it made 8 of the 10 end-to-end errors (80.0%), locator 2 (20.0%). Fed locator's true labels, reader reaches 92.0% against 90.0% end to end: a perfect locator would gain about 2.0 points; the last 8.0% are reader's own.",
    );
  });

  it('says so for a tie, for no errors, and when true inputs do no better', () => {
    assert.match(improveFirst({ ...base, stage1: 5, stage2: 5, upperBound: null }), /^The stages made as many of the 10 end-to-end errors each \(5\): improving either helps as much\.$/);
    assert.match(improveFirst({ ...base, correct: 100, stage2: 0, stage1: 0, upperBound: null }), /^All 100 test items are right end to end/);
    assert.match(improveFirst({ ...base, upperBound: 0.89 }, [{ name: 'locator', labelColumn: 'cell', input: null, testAccuracy: 0.97, outOfFoldAccuracy: null, oracleAccuracy: null, handoff: null }]), /Fed the true cell, reader reaches 89\.0%, no more than 90\.0% end to end: locator's mistakes cost nothing measurable/);
  });
});
