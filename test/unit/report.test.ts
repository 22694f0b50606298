/**
 * The run report page: every section rendered from a rich fixture, opened in a real headless Chromium (no console
 * or page errors, no requests, every image decoded, every heading there), text escaped, and the pure parts (PNG
 * encoding, per-class metrics, image inference) checked against independent references.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { PNG } from 'pngjs';

import { classMetrics, inferImageView, presentSections, renderReport, REPORT_SECTIONS, type ReportData } from '../../core/report/index.js';
import { grayPng } from '../../core/report/png.js';
import { rankTrials } from '../../core/report/sections/sweep.js';
import { renderPage, screenshotsDir } from '../support/browser.js';
import { FIXTURE_CLASSES, fixtureSample, reportFixture } from '../support/reportFixture.js';

const tmp = mkdtempSync(join(tmpdir(), 'gauntlet-report-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, html: string): string {
  const file = join(tmp, name);
  writeFileSync(file, html);
  return file;
}

describe('run report: every section', () => {
  const data = reportFixture();
  const html = renderReport(data);

  it('opens in Chromium with no errors and no requests, every section heading and every image there', async () => {
    const page = await renderPage(write('report.html', html), { screenshot: 'report-unit.png', viewport: { width: 1280, height: 900 } });
    assert.deepEqual(page.consoleErrors, []);
    assert.deepEqual(page.pageErrors, []);
    assert.deepEqual(page.failedRequests, []);
    // Each title is a line twice: the section's heading and its entry in the contents.
    const lines = page.text.split('\n').map((line) => line.trim());
    for (const [, title] of REPORT_SECTIONS) assert.equal(lines.filter((line) => line === title).length, 2, `section heading ${title}`);
    // Images: class examples, the spread of rows, duplicate pairs, disputed labels, misclassified rows.
    const expected =
      data.data!.samples.length +
      data.data!.examples.reduce((sum, e) => sum + e.samples.length, 0) +
      4 + // two pairs whose rows are known (the third names a row that is not there)
      data.labeling!.disputed.length +
      data.evaluation!.misclassified.length;
    assert.equal(page.images.length, expected);
    for (const image of page.images) {
      assert.match(image.src, /^data:image\/png;base64,/, 'inline, nothing fetched');
      assert.equal(image.naturalWidth, 8, 'the PNG decoded: one pixel per feature');
    }
    assert.ok(statSync(join(screenshotsDir, 'report-unit.png')).size > 0);
  });

  it('reads like a report: the goal verdict, numbers formatted, evidence explained', async () => {
    const page = await renderPage(write('report-text.html', html));
    for (const text of [
      'goal met',
      'the model reached 88.3%',
      '2026-11-26 12:45:00 UTC',
      '(7 min 31 s)',
      'chosen max LR',
      'rows 0 and 15 · near · across splits (train, test) · distance 0.031 · lines 2 and 17',
      'Leak suspects: columns that predict the label on their own',
      'rows 7 and 9999',
      'The 3 most confident of 7 mistakes.',
      'No group of writer has rows in more than one split',
      'Each class\'s share of valid and of test differs by at most',
      'rung at epoch 3: below the cutoff 0.83',
      'The best trial',
      'Improve locator first: it made 27 of the 36 end-to-end errors (75.0%), reader 9 (25.0%).',
      'a perfect locator would gain about 5.4 points',
      '95% interval 88.0% – 93.5%',
    ]) {
      assert.ok(page.text.toLowerCase().includes(text.toLowerCase()), `missing: ${text}`);
    }
    assert.ok(!page.text.includes('reached maxResource'), 'a trial that completed was not an early-stopping decision');
    assert.ok(html.includes('<dd>exact (across 1, within 0) · near (across 1, within 0)</dd>'), 'a check\'s numbers, folded away');
    assert.ok(!page.text.includes('NaN') && !page.text.includes('undefined'), 'no unformatted values');
  });

  it('escapes every name that comes from a run', async () => {
    assert.ok(!html.includes('<script>'), 'no script element');
    assert.ok(!html.includes('<b>four</b>') && !html.includes('<id>') && !html.includes('<admin>') && !html.includes('<twice>') && !html.includes('<pred>'));
    const page = await renderPage(write('report-escape.html', html));
    for (const literal of ['<script>alert("x")</script> & friends', '<b>four</b>', 'column <id> predicts', 'alice <admin>', 'OOMKilled <twice>', '<page-00003.json>', "locator's predictions as cell <pred>"]) {
      assert.ok(page.text.includes(literal), `shown as text: ${literal}`);
    }
  });

  it('says what could not be collected, at the top', () => {
    assert.ok(html.indexOf('Parts of this run could not be shown') < html.indexOf('id="data"'));
  });
});

describe('run report: only the stages that ran', () => {
  it('renders no section for a stage that did not run', async () => {
    const full = reportFixture();
    const minimal: ReportData = { run: full.run, evaluation: full.evaluation! };
    assert.deepEqual(presentSections(minimal), ['evaluation']);
    const html = renderReport(minimal);
    for (const [id] of REPORT_SECTIONS) assert.equal(html.includes(`<section id="${id}">`), id === 'evaluation', id);
    const page = await renderPage(write('report-minimal.html', html));
    assert.deepEqual([page.consoleErrors, page.pageErrors, page.failedRequests], [[], [], []]);
  });

  it('shows table data as rows with their values, and duplicate pairs as two rows with the differing values marked', async () => {
    const full = reportFixture();
    const columns = ['sepal <length>', 'sepal_width', 'petal_length', 'petal_width'];
    const row = (r: number, label: number, values: number[]) => ({ row: r, label, features: values });
    const table: ReportData = {
      run: { ...full.run, goal: { metric: 'accuracy', min: 0.9, met: false, value: 0.8 } },
      data: {
        source: 'file:iris.csv',
        rows: 3,
        classes: ['setosa', 'versicolor'],
        view: { columns, image: null },
        classCounts: [2, 1],
        samples: [row(0, 0, [5.1, 3.5, 1.4, 0.1 + 0.2]), row(1, 0, [5.1, 3.5, 1.4, 0.2]), row(2, 1, [7, 3.2, 4.7, 1.4])],
        examples: [{ label: 0, samples: [row(0, 0, [5.1, 3.5, 1.4, 0.3])] }, { label: 1, samples: [row(2, 1, [7, 3.2, 4.7, 1.4])] }],
        checks: [{ name: 'duplicates', verdict: 'warn', message: 'one near-duplicate pair', details: { pairs: [{ a: 0, b: 1, distance: 0.01 }] }, samples: [row(0, 0, [5.1, 3.5, 1.4, 0.3]), row(1, 0, [5.1, 3.5, 1.4, 0.2])] }],
      },
    };
    const html = renderReport(table);
    assert.ok(!html.includes('<img'), 'no images for table data');
    assert.ok(html.includes('<th>sepal &lt;length&gt;</th>'));
    assert.ok(html.includes('<td>0.3</td>'), '0.1 + 0.2 is shown as 0.3');
    assert.match(html, /<td class="diff">0\.3<\/td>/, 'the value that differs within a pair is marked');
    const page = await renderPage(write('report-table.html', html), { screenshot: 'report-unit-table.png' });
    assert.deepEqual([page.consoleErrors, page.pageErrors, page.failedRequests], [[], [], []]);
    assert.ok(page.text.includes('goal not met'));
  });
});

describe('run report: the pure parts', () => {
  it('encodes pixels as a PNG that pngjs decodes to ink on paper', () => {
    const sample = fixtureSample(0); // a zero: row 0 is ..####..
    const png = PNG.sync.read(Buffer.from(grayPng(sample.features, 8, 8, 16)));
    assert.deepEqual([png.width, png.height], [8, 8]);
    const gray = (r: number, c: number) => png.data[(r * 8 + c) * 4];
    assert.equal(gray(0, 2), 0, 'ink is black');
    assert.equal(gray(0, 0), 255, 'paper is white');
    const faint = PNG.sync.read(Buffer.from(grayPng(fixtureSample(10).features, 8, 8, 16)));
    assert.equal(faint.data[2 * 4], Math.round(255 * (1 - 9 / 16)), 'faint ink (9 of 16) is a mid gray');
    const big = Array.from({ length: 300 * 300 }, (_, i) => i % 17);
    const large = PNG.sync.read(Buffer.from(grayPng(big, 300, 300, 16)));
    assert.equal(large.data[(299 * 300 + 299) * 4], Math.round(255 * (1 - ((299 * 300 + 299) % 17) / 16)), 'more than one deflate block');
    assert.throws(() => grayPng([1, 2, 3], 2, 2, 16), /3 values cannot fill a 2×2 image/);
  });

  it('computes precision, recall and F1 per class as scikit-learn does', () => {
    // sklearn.metrics.precision_recall_fscore_support(y_true, y_pred, labels=[0, 1, 2]) on the rows of this matrix:
    // precision [0.714, 0.75, 0], recall [0.833, 0.6, 0], F1 [0.769, 0.667, 0] (0 where it divides by zero).
    const metrics = classMetrics([
      [5, 1, 0],
      [2, 3, 0],
      [0, 0, 0],
    ]);
    assert.equal(metrics[0]!.precision, 5 / 7);
    assert.equal(metrics[0]!.recall, 5 / 6);
    assert.ok(Math.abs(metrics[0]!.f1! - 0.7692307692307693) < 1e-12);
    assert.equal(metrics[1]!.precision, 0.75);
    assert.equal(metrics[1]!.recall, 0.6);
    assert.ok(Math.abs(metrics[1]!.f1! - 0.6666666666666666) < 1e-12);
    assert.deepEqual(metrics[1]!.confusedWith, { label: 0, count: 2 });
    assert.deepEqual([metrics[2]!.precision, metrics[2]!.recall, metrics[2]!.support], [null, null, 0], 'a class never seen nor predicted is shown as undefined, where scikit-learn reports 0 with a warning');
  });

  it('treats square pixel columns with small non-negative values as an image, anything else as a table', () => {
    const pixelsOf = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
    assert.deepEqual(inferImageView(pixelsOf(64), [fixtureSample(0).features]), { width: 8, height: 8, maxValue: 16 });
    assert.deepEqual(inferImageView(pixelsOf(784), [Array.from({ length: 784 }, (_, i) => i % 256)]), { width: 28, height: 28, maxValue: 255 });
    assert.equal(inferImageView(pixelsOf(60), [[]]), null, 'not a square');
    assert.equal(inferImageView(pixelsOf(64), [fixtureSample(0).features.map((v) => v - 1)]), null, 'negative values');
    assert.equal(inferImageView(Array.from({ length: 64 }, (_, i) => `mean_${i}`), [fixtureSample(0).features]), null, 'not named like pixels');
  });

  it('ranks trials best first: completed by objective, then stopped, then failed', () => {
    const ranked = rankTrials(reportFixture().sweep!.trials, 'maximize').map((t) => `${t.trial}:${t.status}`);
    assert.deepEqual(ranked, ['2:completed', '1:completed', '0:completed', '3:stopped', '4:stopped', '5:failed']);
    assert.equal(FIXTURE_CLASSES.length, 5);
  });
});
