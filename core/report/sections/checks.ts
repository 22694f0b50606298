/**
 * Data checks with their evidence: the verdict and message of each, the pairs a duplicates check found side by
 * side as data, a leakage check's suspect columns with their scores, and any other detail as plain values.
 * Details are other stages' JSON: a pair is `{rows: [a, b], …}` (core/data/checks/duplicates.ts) or `{a, b, …}`;
 * a column's score is `score` or its `accuracy` (core/data/checks/leakage.ts).
 */
import { h, num } from '../format.js';
import { table, verdictBadge, type Html } from '../html.js';
import { samplePair } from '../samples.js';
import type { ReportCheck, Sample, SampleView } from '../types.js';

/** How many pairs and suspects a check shows; the rest are counted. */
const SHOWN = 12;

interface Pair {
  a: number;
  b: number;
  distance?: number;
  rest: Record<string, unknown>;
}

interface Suspect {
  column: string;
  score: number;
  rest: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isRow = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Details come from other stages as unknown JSON: take what has the expected shape, ignore the rest. */
function pairsOf(details: Record<string, unknown>): Pair[] {
  const raw = details.pairs;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item): Pair[] => {
    if (!isRecord(item)) return [];
    const { rows, a, b, distance, ...rest } = item;
    const [x, y] = Array.isArray(rows) ? rows : [a, b];
    if (!isRow(x) || !isRow(y)) return [];
    return [{ a: x, b: y, ...(typeof distance === 'number' ? { distance } : {}), rest }];
  });
}

/** The rows every listed pair names, for the collector to fetch. */
export function pairRows(details: Record<string, unknown>): Array<[number, number]> {
  return pairsOf(details).map((pair) => [pair.a, pair.b]);
}

function scoresOf(details: Record<string, unknown>, key: string): Suspect[] {
  const raw = details[key];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item): Suspect[] => {
    if (!isRecord(item) || typeof item.column !== 'string') return [];
    const { column, score, accuracy, ...rest } = item;
    const value = typeof score === 'number' ? score : typeof accuracy === 'number' ? accuracy : null;
    return value === null ? [] : [{ column, score: value, rest }];
  });
}

/** A detail value in a few words: numbers formatted, short lists and small records inline (two levels deep), anything bigger summarised. */
export function detailValue(value: unknown, depth = 0): string {
  if (typeof value === 'number') return num(value);
  if (typeof value === 'string') return value.length > 160 ? `${value.slice(0, 160)}…` : value;
  if (typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    if (value.every((v) => typeof v !== 'object' || v === null) && value.length <= 12) return value.map((v) => detailValue(v)).join(', ');
    return `${value.length} entries`;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    const small = entries.length <= 6 && entries.every(([, v]) => typeof v !== 'object' || v === null || (depth === 0 && (isRecord(v) || Array.isArray(v))));
    if (!small) return `${entries.length} fields`;
    const text = entries.map(([k, v]) => (isRecord(v) ? `${k} (${detailValue(v, depth + 1)})` : `${k} ${detailValue(v, depth + 1)}`)).join(depth === 0 ? ' · ' : ', ');
    return text;
  }
  return String(value);
}

function extras(rest: Record<string, unknown>): string {
  return Object.entries(rest)
    .map(([key, value]) => `${key} ${detailValue(value)}`)
    .join(' · ');
}

/** A duplicate pair in words: "exact · across splits (train, test) · lines 14 and 903". */
function pairWords(pair: Pair): string {
  const { kind, place, splits, lines, groups, ...rest } = pair.rest;
  const two = (value: unknown): [string, string] | null => (Array.isArray(value) && value.length === 2 ? [String(value[0]), String(value[1])] : null);
  const where = place === 'across' ? 'across splits' : place === 'within' ? 'within a split' : typeof place === 'string' ? place : '';
  const inSplits = two(splits);
  return [
    typeof kind === 'string' ? kind : '',
    where + (inSplits ? ` (${inSplits.join(', ')})` : ''),
    pair.distance !== undefined ? `distance ${num(pair.distance)}` : '',
    two(lines) ? `lines ${two(lines)!.join(' and ')}` : '',
    two(groups) ? `groups ${two(groups)!.join(', ')}` : '',
    extras(rest),
  ]
    .filter(Boolean)
    .join(' · ');
}

function pairsBlock(check: ReportCheck, view: SampleView, classes: readonly string[]): Html {
  const pairs = pairsOf(check.details);
  if (pairs.length === 0) return '';
  const byRow = new Map<number, Sample>((check.samples ?? []).map((sample) => [sample.row, sample]));
  const shown = pairs.slice(0, SHOWN).map((pair) => {
    const a = byRow.get(pair.a);
    const b = byRow.get(pair.b);
    const words = [`rows ${pair.a} and ${pair.b}`, pairWords(pair)].filter(Boolean).join(' · ');
    if (!a || !b) return `<p class="pair-note">${h(words)} (rows not in the data set read)</p>`;
    return samplePair(a, b, view, classes, h(words));
  });
  const more = pairs.length > SHOWN ? `<p class="note">${pairs.length - SHOWN} more pairs in the check's details.</p>` : '';
  return `<div class="pairs">${shown.join('\n')}</div>${more}`;
}

/** Suspect columns with their scores; without suspects, the best-scoring columns (`top`) for comparison. */
function suspectsBlock(check: ReportCheck): Html {
  const suspects = scoresOf(check.details, 'suspects');
  const shown = suspects.length ? suspects : scoresOf(check.details, 'top');
  if (shown.length === 0) return '';
  const rows = [...shown]
    .sort((x, y) => y.score - x.score)
    .slice(0, SHOWN)
    .map((s) => [h(s.column), `<span class="meter" style="--v:${Math.max(0, Math.min(1, s.score)).toFixed(3)}"></span> ${h(num(s.score))}`, h(extras(s.rest))]);
  const caption = suspects.length ? 'Leak suspects: columns that predict the label on their own' : 'The columns that best predict the label on their own (none is a suspect)';
  return table(['column', 'score', 'more'], rows, { text: [0, 1, 2], caption: h(caption) });
}

function genericDetails(check: ReportCheck): Html {
  const shownScores = scoresOf(check.details, 'suspects').length ? 'suspects' : scoresOf(check.details, 'top').length ? 'top' : null;
  const rest = Object.entries(check.details).filter(([key]) => !(key === 'pairs' && pairsOf(check.details).length) && key !== shownScores);
  if (rest.length === 0) return '';
  // The numbers behind the message, folded away: the message above already says what they mean.
  return `<details><summary>The check's numbers</summary><dl class="facts small">${rest.map(([key, value]) => `<dt>${h(key)}</dt><dd>${h(detailValue(value))}</dd>`).join('')}</dl></details>`;
}

export function checksBlock(checks: readonly ReportCheck[], view: SampleView, classes: readonly string[]): Html {
  const summary = table(
    ['check', 'verdict', 'what it found'],
    checks.map((check) => [h(check.name), verdictBadge(check.verdict), h(check.message)]),
    { text: [0, 1, 2] },
  );
  const evidence = checks
    .map((check) => {
      const body = [suspectsBlock(check), pairsBlock(check, view, classes), genericDetails(check)].filter(Boolean).join('\n');
      return body ? `<div class="check"><h4>${h(check.name)} ${verdictBadge(check.verdict)}</h4>\n${body}</div>` : '';
    })
    .filter(Boolean);
  return [summary, ...evidence].join('\n');
}
