/**
 * A cron check before anything reaches Temporal, so a typo is one clear line (exit 2) and not a server error. It
 * accepts the forms Temporal documents for `ScheduleSpec.cronExpressions` that people write: 5 fields (minute hour
 * day-of-month month day-of-week), 6 (+ year) or 7 (second first, + year), each `*`, numbers, names (JAN, MON),
 * ranges and steps; or `@yearly` `@monthly` `@weekly` `@daily` `@hourly`, or `@every 1h[/15m]`. Temporal still
 * has the last word (cli/schedule/errors.ts maps its rejection to exit 2 too).
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const MINUTE: Field = { name: 'minute', min: 0, max: 59 };
const HOUR: Field = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: Field = { name: 'day of month', min: 1, max: 31 };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] };
// 7 is Sunday too, as in most crons.
const DAY_OF_WEEK: Field = { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };
const YEAR: Field = { name: 'year', min: 1970, max: 9999 };

const LAYOUTS: Record<number, Field[]> = {
  5: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK],
  6: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
  7: [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
};

const SHORTHANDS = new Set(['@yearly', '@monthly', '@weekly', '@daily', '@hourly']);
const EVERY = /^@every \d+[smhd](?:\/\d+[smhd])?$/;

/** Every problem with a cron string, empty when it is fine. */
export function cronProblems(cron: string): string[] {
  const text = cron.trim();
  if (text === '') return ['is empty'];
  // The time zone has one home (--timezone), so describe and the memo cannot disagree with the spec.
  if (/^(CRON_)?TZ=/.test(text)) return ['give the time zone with --timezone, not in the cron string'];
  if (text.startsWith('@')) {
    return SHORTHANDS.has(text) || EVERY.test(text) ? [] : [`unknown shorthand ${JSON.stringify(text)} (use @yearly, @monthly, @weekly, @daily, @hourly or "@every 1h")`];
  }
  const parts = text.split(/\s+/);
  const layout = LAYOUTS[parts.length];
  if (!layout) return [`has ${parts.length} field(s); expected 5 (minute hour day-of-month month day-of-week), 6 (+ year) or 7 (second first, + year)`];
  return layout.flatMap((field, index) => fieldProblems(field, parts[index] ?? ''));
}

function fieldProblems(field: Field, text: string): string[] {
  const problems = text.split(',').flatMap((item) => itemProblem(field, item) ?? []);
  return problems.map((problem) => `${field.name} ${JSON.stringify(text)}: ${problem}`);
}

/** One comma-separated item: `*`, `N`, `N-M`, each optionally `/STEP`. */
function itemProblem(field: Field, item: string): string | null {
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined) return `${JSON.stringify(item)} has more than one "/"`;
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `step ${JSON.stringify(step)} must be a positive whole number`;
  if (range === '*') return null;
  const bounds = range.split('-');
  if (bounds.length > 2) return `${JSON.stringify(range)} is not a value or a range`;
  const values = bounds.map((bound) => value(field, bound));
  const bad = bounds.find((_, index) => values[index] === null);
  if (bad !== undefined) return `${JSON.stringify(bad)} is not ${describeValues(field)}`;
  const [start = 0, end = start] = values as number[];
  if (end < start) return `range ${JSON.stringify(range)} runs backwards`;
  return null;
}

function value(field: Field, text: string): number | null {
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return index + (field === MONTH ? 1 : 0);
  if (!/^\d+$/.test(text)) return null;
  const number = Number(text);
  return number >= field.min && number <= field.max ? number : null;
}

function describeValues(field: Field): string {
  const names = field.names ? ` or ${field.names[0]}–${field.names[field.names.length - 1]}` : '';
  return `${field.min}–${field.max}${names}`;
}
