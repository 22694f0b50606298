/** The report's stylesheet, inlined into the page: readable on screen and in print, no web fonts, no network. */
export const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; --good: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
.page { display: grid; grid-template-columns: 200px minmax(0, 1fr); max-width: 1320px; margin: 0 auto; background: linear-gradient(90deg, var(--soft) 200px, #fff 200px); }
nav.toc { position: sticky; top: 0; align-self: start; padding: 28px 16px; }
.page > nav.toc + main { border-left: 1px solid var(--line); }
nav.toc b { display: block; margin-bottom: 8px; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
nav.toc a { display: block; padding: 3px 0; color: var(--ink); text-decoration: none; }
nav.toc a:hover { color: var(--accent); }
main { padding: 24px 36px 64px; min-width: 0; }
main a { color: var(--accent); }
header { border-bottom: 1px solid var(--line); padding-bottom: 16px; }
.kicker { margin: 0; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .06em; }
h1 { font-size: 26px; margin: 2px 0 4px; overflow-wrap: anywhere; }
.description { margin: 0 0 8px; color: var(--muted); }
h2 { font-size: 22px; margin: 36px 0 4px; padding-top: 8px; border-top: 3px solid var(--ink); }
h3 { font-size: 17px; margin: 24px 0 6px; }
h4 { font-size: 15px; margin: 16px 0 6px; }
.lead { margin: 0 0 14px; color: var(--muted); max-width: 75ch; }
.note { color: var(--muted); margin: 4px 0 10px; max-width: 80ch; font-size: 14px; }
.muted { color: var(--muted); }
.goal { font-size: 16px; }
code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: var(--soft); padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 12px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; }
.facts.small { font-size: 13px; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 130px; }
.tile-value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile-label { color: var(--muted); font-size: 13px; }
.tile-note { color: var(--muted); font-size: 12px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 13px; font-weight: 600; border: 1px solid; white-space: nowrap; }
.badge.good { color: var(--good); background: #dafbe1; border-color: #aceebb; }
.badge.warn { color: var(--warn); background: #fff8c5; border-color: #eed888; }
.badge.bad { color: var(--bad); background: #ffebe9; border-color: #ffcecb; }
.badge.neutral { color: var(--muted); background: var(--soft); border-color: var(--line); }
.bad-text { color: var(--bad); }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 6px 0 10px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: right; white-space: nowrap; vertical-align: top; }
th { background: var(--soft); font-weight: 600; border-top: 1px solid var(--line); }
th.t, td.t { text-align: left; white-space: normal; }
tr.best td { background: #ddf4ff; font-weight: 600; }
tr.bad td { background: #fff5f5; }
tr.warn td { background: #fffbea; }
td.diff { background: #fff8c5; font-weight: 600; }
table.features td, table.features th { padding: 2px 6px; font-size: 12px; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); }
figure { margin: 0; }
figure.plot { margin: 10px 0 18px; max-width: 100%; }
figure.plot figcaption { color: var(--muted); font-size: 14px; max-width: 72ch; margin-top: 4px; }
.plots figure.plot figcaption { max-width: 470px; }
.plots { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
.plots figure.plot { flex: 0 1 auto; }
svg.chart { display: block; max-width: 100%; height: auto; }
img.px { image-rendering: pixelated; image-rendering: crisp-edges; display: block; border: 1px solid var(--line); background: #fff; }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0 12px; }
figure.sample { padding: 6px; border: 1px solid var(--line); border-radius: 6px; font-size: 12px; line-height: 1.35; max-width: 150px; }
figure.sample figcaption { margin-top: 4px; color: var(--ink); }
figure.sample .extra { color: var(--muted); }
figure.sample.bad { border-color: #ffcecb; background: #fff5f5; }
figure.sample.warn { border-color: #eed888; background: #fffbea; }
.class-row { display: grid; grid-template-columns: 56px 1fr; align-items: center; border-bottom: 1px solid var(--soft); }
.class-row .class-name { font-size: 22px; font-weight: 650; text-align: center; }
.class-row .gallery { margin: 4px 0; }
.pairs { display: flex; flex-wrap: wrap; gap: 12px; }
.pair { display: flex; gap: 6px; align-items: flex-start; flex-wrap: wrap; padding: 6px; border: 1px dashed var(--muted); border-radius: 6px; max-width: 330px; }
.pair-note { margin: 2px 0; font-size: 13px; color: var(--muted); flex-basis: 100%; }
.pair-table { margin-bottom: 8px; }
.gate { border-left: 4px solid var(--line); padding: 2px 12px; margin: 8px 0; }
.gate p { margin: 4px 0; max-width: 90ch; }
.check { margin: 8px 0 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.meter { display: inline-block; width: 80px; height: 8px; background: linear-gradient(90deg, var(--bad) calc(var(--v) * 100%), var(--soft) 0); border: 1px solid var(--line); vertical-align: 1px; }
.verdict { max-width: 80ch; font-weight: 600; }
.notes { border: 1px solid #eed888; background: #fff8c5; border-radius: 6px; padding: 8px 14px; margin: 14px 0; }
.notes ul { margin: 4px 0; padding-left: 20px; }
footer { margin-top: 48px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 900px) { .page { display: block; background: #fff; } nav.toc { position: static; border-bottom: 1px solid var(--line); } }
@media print { nav.toc { display: none; } .page { display: block; } main { padding: 0; } section { break-inside: avoid-page; } }
`;
