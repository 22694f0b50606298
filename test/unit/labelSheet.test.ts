import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';

import { PNG } from 'pngjs';

import { pixelScale } from '../../cli/labeling/itemPng.js';
import { renderSheetFiles, SheetError, type SheetInput } from '../../cli/labeling/sheet.js';
import { submitCommand } from '../../cli/labeling/submitCommand.js';
import { renderPage, screenshotsDir } from '../support/browser.js';

// Hand-drawn 8×8 digits: '#' full ink (16, as in the digits data set), '+' half ink, '.' paper.
const PATTERNS: Record<string, string[]> = {
  zero: ['..####..', '.#....#.', '#......#', '#......#', '#......#', '#......#', '.#....#.', '..####..'],
  one: ['...##...', '..###...', '.#.##...', '...##...', '...##...', '...##...', '...##...', '.######.'],
  four: ['....##..', '...###..', '..#.##..', '.#..##..', '########', '....##..', '....##..', '....##..'],
  seven: ['########', '......#.', '.....#..', '....#...', '...#....', '...#....', '..#.....', '..#.....'],
};

/** Row-major features named like scikit-learn's digits columns, pixel_<row>_<column>. */
function digit(rows: string[], { shift = 0, ink = 16 } = {}): Record<string, number> {
  const features: Record<string, number> = {};
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) {
      const char = rows[r]?.[c - shift] ?? '.';
      features[`pixel_${r}_${c}`] = char === '#' ? ink : char === '+' ? ink / 2 : 0;
    }
  }
  return features;
}

// 12 items: each pattern plain, shifted one pixel right, and drawn with faint ink; ids far from 0…9 so the page
// text can be searched for them.
const digitItems = Object.values(PATTERNS).flatMap((rows) => [digit(rows), digit(rows, { shift: 1 }), digit(rows, { ink: 9 })]);
const digits: SheetInput = {
  run: 'digits-20261126T124500Z',
  batch: 3,
  annotator: 'alice',
  leaseExpiresAt: '2026-11-26T14:30:00Z',
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  items: digitItems.map((features, index) => ({ item: 1000 + 7 * index, features })),
  view: { kind: 'image', width: 8, height: 8, maxValue: 16 },
};

const iris: SheetInput = {
  run: 'iris-20261126T124500Z',
  batch: 0,
  annotator: "o'neil <script>alert(1)</script>",
  leaseExpiresAt: '2026-11-26T15:00:00+01:00',
  classes: ['setosa', 'versicolor', '<b>x</b>'],
  items: [
    { item: 41, features: { sepal_length: 5.1, sepal_width: 3.5, 'petal <length>': 1.4, petal_width: 0.1 + 0.2 } },
    { item: 97, features: { sepal_length: 6.2, sepal_width: 2.9, 'petal <length>': 4.3, petal_width: 1.3 } },
  ],
  view: { kind: 'table' },
};

const tmp = mkdtempSync(join(tmpdir(), 'gauntlet-label-sheet-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes the rendered files as `label pull` will, into a fresh folder; returns sheet.html's path. */
function writeSheet(name: string, files: Map<string, Buffer>): string {
  const dir = join(tmp, name);
  for (const [file, bytes] of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), bytes);
  }
  return join(dir, 'sheet.html');
}

const html = (files: Map<string, Buffer>): string => files.get('sheet.html')?.toString('utf8') ?? assert.fail('no sheet.html');

describe('label sheet: an image batch', () => {
  const files = renderSheetFiles(digits);

  it('writes one PNG per item, the sheet and the labels template', () => {
    const expected = [...digits.items.map(({ item }) => `items/${item}.png`), 'sheet.html', 'labels.csv'];
    assert.deepEqual([...files.keys()].sort(), expected.sort());
  });

  it('opens in Chromium with no errors, every image loaded, every item and the submit command readable', async () => {
    const page = await renderPage(writeSheet('digits', files), { screenshot: 'label-sheet.png' });
    assert.deepEqual(page.consoleErrors, []);
    assert.deepEqual(page.pageErrors, []);
    assert.deepEqual(page.failedRequests, []);
    assert.deepEqual(
      page.images.map(({ src }) => src),
      digits.items.map(({ item }) => `items/${item}.png`),
    );
    for (const image of page.images) assert.ok(image.naturalWidth > 0, `${image.src} did not load`);
    for (const { item } of digits.items) assert.match(page.text, new RegExp(`\\bitem ${item}\\b`));
    assert.ok(page.text.includes('gauntlet label submit digits-20261126T124500Z 3 labels.csv --annotator alice'), page.text);
    assert.ok(page.text.includes('2026-11-26 14:30 UTC'), 'the lease expiry, in UTC');
    assert.ok(statSync(join(screenshotsDir, 'label-sheet.png')).size > 0);
  });

  it('draws each item as ink on paper, each feature a square of pixels', () => {
    const scale = pixelScale(8, 8);
    assert.ok(scale >= 8, 'an 8×8 digit is drawn at least 64×64');
    // The first "zero": row 0 is ..####.., so (row 0, column 2) is full ink and (row 0, column 0) is paper.
    const png = PNG.sync.read(files.get('items/1000.png') ?? assert.fail('no items/1000.png'));
    assert.equal(png.width, 8 * scale);
    assert.equal(png.height, 8 * scale);
    const gray = (row: number, column: number): number => png.data[((row * scale + scale / 2) * png.width + column * scale + scale / 2) * 4] ?? -1;
    assert.equal(gray(0, 2), 0, 'ink is black');
    assert.equal(gray(0, 0), 255, 'paper is white');
    assert.equal(gray(2, 0), 0, 'row-major: row 2 of a zero starts with ink');
    // The faint copy (ink 9 of 16) is a mid gray.
    const faint = PNG.sync.read(files.get('items/1014.png') ?? assert.fail('no items/1014.png'));
    const faintGray = faint.data[((scale / 2) * faint.width + 2 * scale + scale / 2) * 4] ?? -1;
    assert.equal(faintGray, Math.round(255 * (1 - 9 / 16)));
  });

  it('leaves a labels.csv with one empty label per item, in the sheet order', () => {
    const rows = digits.items.map(({ item }) => `${item},`);
    assert.equal(files.get('labels.csv')?.toString('utf8'), ['item,label', ...rows].join('\n') + '\n');
  });
});

describe('label sheet: a table batch, with hostile names', () => {
  const files = renderSheetFiles(iris);

  it('writes no images, and a table with every feature and a label column', () => {
    assert.deepEqual([...files.keys()].sort(), ['labels.csv', 'sheet.html']);
    const page = html(files);
    assert.ok(!page.includes('<img'));
    assert.match(page, /<th>item<\/th><th>sepal_length<\/th><th>sepal_width<\/th><th>petal &lt;length&gt;<\/th><th>petal_width<\/th><th>label<\/th>/);
    assert.match(page, /<td>97<\/td><td>6\.2<\/td><td>2\.9<\/td><td>4\.3<\/td><td>1\.3<\/td><td class="label"><\/td>/);
    assert.ok(page.includes('<td>0.3</td>'), 'values are rounded for reading, not 0.30000000000000004');
  });

  it('escapes class, feature and annotator names', () => {
    const page = html(files);
    assert.ok(!page.includes('<b>x</b>'));
    assert.ok(page.includes('<li>&lt;b&gt;x&lt;/b&gt;</li>'));
    assert.ok(!page.includes('<script>'));
    assert.ok(!page.includes('<length>'));
  });

  it('shows the names literally in Chromium, with no errors', async () => {
    const page = await renderPage(writeSheet('iris', files), { screenshot: 'label-sheet-table.png' });
    assert.deepEqual([page.consoleErrors, page.pageErrors, page.failedRequests], [[], [], []]);
    assert.deepEqual(page.images, []);
    assert.ok(page.text.includes('<b>x</b>'), 'the class name is text, not markup');
    assert.ok(page.text.includes("o'neil <script>alert(1)</script>"));
    assert.ok(page.text.includes(`--annotator 'o'\\''neil <script>alert(1)</script>'`), 'a command that pastes into a shell');
    assert.ok(page.text.includes('2026-11-26 14:00 UTC'), 'an offset expiry is shown in UTC');
    for (const item of ['41', '97']) assert.match(page.text, new RegExp(`^${item}\\t`, 'm'));
  });
});

describe('label sheet: input checks', () => {
  it('refuses an image item whose features do not fill the image', () => {
    const short = { ...digits, items: [{ item: 1, features: { a: 1, b: 2 } }] };
    assert.throws(() => renderSheetFiles(short), (error: unknown) => error instanceof SheetError && /item 1 has 2 features, a 8×8 image needs 64/.test(error.message));
  });

  it('refuses a batch that lists an item twice, and one without classes', () => {
    const twice = { ...iris, items: [iris.items[0]!, iris.items[0]!] };
    assert.throws(() => renderSheetFiles(twice), /item 41 appears twice/);
    assert.throws(() => renderSheetFiles({ ...iris, classes: [] }), /classes/);
  });

  it('quotes only the words a shell would split', () => {
    assert.equal(submitCommand('digits-20261126T124500Z', 3, 'alice'), 'gauntlet label submit digits-20261126T124500Z 3 labels.csv --annotator alice');
    assert.equal(submitCommand('r', 0, 'ann lee'), "gauntlet label submit r 0 labels.csv --annotator 'ann lee'");
  });
});

