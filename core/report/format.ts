/** Numbers, times and text as a person reads them in the report: few digits, units, one unambiguous time zone. */
import { escapeHtml } from '../html.js';
import { formatLr } from '../lr/svg.js';

/** Escapes text for element content and quoted attributes (the labeling sheet's escaper, one rule for both pages). */
export const h = escapeHtml;

export { formatLr };

/** A learning rate: plain decimals from 0.01 up (0.453), exponents below (9.11e-3), as people write them. */
export function lr(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Math.abs(value) >= 0.01 && Math.abs(value) < 1e4 ? String(Number(value.toPrecision(3))) : formatLr(value);
}

/** A statistic with fixed decimals (kappa 1.000, alpha 0.738), so a column of them lines up. */
export function dec(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

/** 4 significant digits, no exponent for everyday magnitudes; "—" for a missing or non-finite value. */
export function num(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return formatLr(value);
  return String(Number(value.toPrecision(digits)));
}

/** 0.9712 → "97.1%". */
export function pct(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(digits)}%`;
}

/** A metric by its name: accuracies and agreement-like shares as percentages, losses and the rest as numbers. */
export function metric(name: string, value: number | null | undefined): string {
  return /accuracy|ceiling|agreement$|share|recall|precision|f1/i.test(name) ? pct(value) : num(value);
}

/** "2026-11-26 12:45:00 UTC": one form whatever the reader's locale. */
export function utc(iso: string | undefined): string {
  if (!iso) return '—';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return new Date(time).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** 75.3 → "1 min 15 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Number(seconds.toPrecision(3))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A hyperparameter value: numbers to 3 significant digits, others as written. */
export function param(value: number | string | boolean): string {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? String(value) : num(value, 3);
}
