/**
 * The labeling sheet as one self-contained HTML page: inline CSS, no script, nothing fetched but the batch's own
 * `items/<id>.png`, so it opens from a folder, an e-mail attachment or a printout alike. Every piece of text is
 * escaped: class names, run ids and feature names come from users' data.
 */
import { escapeHtml as h } from './html.js';
import { pixelScale } from './itemPng.js';
import { itemImagePath, type SheetInput } from './sheetInput.js';
import { submitCommand } from './submitCommand.js';

const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
.submit { margin: 0 0 20px; padding: 10px 14px; border: 1px solid var(--accent); border-radius: 6px; background: #ddf4ff; }
code { font: 14px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #fff; padding: 2px 6px; border-radius: 4px; border: 1px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
/* Atomic: the command moves to its own line whole rather than breaking at "--annotator". */
.submit code.command { display: inline-block; }
h1 { font-size: 22px; margin: 0 0 12px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0 0 16px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
.classes { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 4px 0 12px; }
.classes li { padding: 2px 10px; border: 1px solid var(--line); border-radius: 12px; background: var(--soft); font-weight: 600; }
.how { color: var(--muted); margin: 0 0 24px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(var(--card), 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px; break-inside: avoid; }
.card .id { font-weight: 600; margin: 0 0 8px; }
.card img { display: block; margin: 0 auto; border: 1px solid var(--line); image-rendering: pixelated; }
.label { border: 1px dashed var(--muted); border-radius: 4px; min-height: 34px; margin-top: 10px; padding: 2px 6px; color: var(--muted); font-size: 12px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: right; white-space: nowrap; }
th { background: var(--soft); font-weight: 600; }
th:first-child, td:first-child { text-align: left; font-weight: 600; }
th:last-child { text-align: left; }
td.label { min-width: 110px; background: #fff; border: 1px dashed var(--muted); }
@media print { body { padding: 0; } .submit { background: none; } }
`;

export function sheetHtml(input: SheetInput): string {
  const { run, batch, annotator, classes, items } = input;
  const command = submitCommand(run, batch, annotator);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Label batch ${batch} of ${h(run)} · ${h(annotator)}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<p class="submit">Fill in the label column of <code>labels.csv</code> (next to this page), then run from this folder: <code class="command">${h(command)}</code></p>
<h1>Label batch ${batch} of run ${h(run)}</h1>
<dl class="facts">
<dt>Run</dt><dd>${h(run)}</dd>
<dt>Batch</dt><dd>${batch}</dd>
<dt>Annotator</dt><dd>${h(annotator)}</dd>
<dt>Lease expires</dt><dd><time datetime="${h(new Date(input.leaseExpiresAt).toISOString())}">${h(readableUtc(input.leaseExpiresAt))}</time></dd>
<dt>Items</dt><dd>${items.length}</dd>
</dl>
<div>Classes (write exactly one of these as each item's label):</div>
<ul class="classes">${classes.map((name) => `<li>${h(name)}</li>`).join('')}</ul>
<p class="how">Items appear in the same order as the rows of <code>labels.csv</code>; each row starts with the item's number.</p>
${input.view.kind === 'image' ? imageCards(input, input.view.width, input.view.height) : featureTable(input)}
</body>
</html>
`;
}

function imageCards({ items }: SheetInput, width: number, height: number): string {
  const scale = pixelScale(width, height);
  const [w, ht] = [width * scale, height * scale];
  const cards = items.map(
    ({ item }) =>
      `<div class="card"><p class="id">item ${item}</p><img src="${h(itemImagePath(item))}" width="${w}" height="${ht}" alt="item ${item}"><div class="label">label</div></div>`,
  );
  return `<div class="cards" style="--card: ${w + 24}px">\n${cards.join('\n')}\n</div>`;
}

function featureTable({ items }: SheetInput): string {
  // Columns in order of first appearance, so a feature one item lacks still gets a column (left blank there).
  const columns = [...new Set(items.flatMap(({ features }) => Object.keys(features)))];
  const head = `<tr><th>item</th>${columns.map((name) => `<th>${h(name)}</th>`).join('')}<th>label</th></tr>`;
  const rows = items.map(({ item, features }) => {
    const cells = columns.map((name) => `<td>${Object.hasOwn(features, name) ? h(formatValue(features[name] ?? 0)) : ''}</td>`);
    return `<tr><td>${item}</td>${cells.join('')}<td class="label"></td></tr>`;
  });
  return `<div class="scroll"><table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table></div>`;
}

/** Six significant digits: enough to judge by, without 0.30000000000000004. */
function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** "2026-11-26 14:30 UTC": one unambiguous form, whatever the viewer's locale. */
function readableUtc(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}
