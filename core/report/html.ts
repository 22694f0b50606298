/** The report's building blocks: a section with its explanation, a plot with its caption, tables, facts, badges. */
import { h } from './format.js';

/** Markup that is already safe (built from escaped text); plain strings passed where Html is expected are bugs. */
export type Html = string;

export function section(id: string, title: string, lead: Html, body: Html): Html {
  return `<section id="${h(id)}">\n<h2>${h(title)}</h2>\n<p class="lead">${lead}</p>\n${body}\n</section>`;
}

export function subsection(title: string, body: Html, note?: Html): Html {
  return `<h3>${h(title)}</h3>${note ? `\n<p class="note">${note}</p>` : ''}\n${body}`;
}

/** A plot and, under it, one or two sentences on what it shows and how to read it. */
export function plot(svg: Html, caption: Html): Html {
  return `<figure class="plot">\n${svg}\n<figcaption>${caption}</figcaption>\n</figure>`;
}

export function plots(...figures: Html[]): Html {
  return `<div class="plots">\n${figures.join('\n')}\n</div>`;
}

export interface TableOptions {
  /** Indexes of columns to align left (text); the rest are numbers, aligned right. */
  text?: number[];
  /** A class per row, e.g. "best". */
  rowClass?: (index: number) => string | undefined;
  caption?: Html;
}

/** `head` is plain text; cells are Html. */
export function table(head: string[], rows: Html[][], options: TableOptions = {}): Html {
  const left = new Set(options.text ?? [0]);
  const cls = (i: number) => (left.has(i) ? ' class="t"' : '');
  const header = `<tr>${head.map((name, i) => `<th${cls(i)}>${h(name)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row, r) => {
      const rowClass = options.rowClass?.(r);
      return `<tr${rowClass ? ` class="${h(rowClass)}"` : ''}>${row.map((cell, i) => `<td${cls(i)}>${cell}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const caption = options.caption ? `<caption>${options.caption}</caption>` : '';
  return `<div class="scroll"><table>${caption}\n<thead>${header}</thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/** Label / value pairs in two columns; labels are text, values Html. */
export function facts(pairs: Array<[string, Html]>): Html {
  return `<dl class="facts">${pairs.map(([label, value]) => `<dt>${h(label)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

/** pass / warn / fail (and passed / failed, met / not met) as a coloured word. */
export function badge(word: string, tone: 'good' | 'warn' | 'bad' | 'neutral'): Html {
  return `<span class="badge ${tone}">${h(word)}</span>`;
}

export function verdictBadge(verdict: string): Html {
  const tone = /^(pass|passed|succeeded|met|completed)$/.test(verdict) ? 'good' : /^(warn|stopped|incomplete)$/.test(verdict) ? 'warn' : /^(fail|failed|not met)$/.test(verdict) ? 'bad' : 'neutral';
  return badge(verdict, tone);
}

/** Headline numbers as tiles. */
export function tiles(items: Array<{ label: string; value: string; note?: string }>): Html {
  const cells = items.map(
    (item) => `<div class="tile"><div class="tile-value">${h(item.value)}</div><div class="tile-label">${h(item.label)}</div>${item.note ? `<div class="tile-note">${h(item.note)}</div>` : ''}</div>`,
  );
  return `<div class="tiles">${cells.join('')}</div>`;
}
