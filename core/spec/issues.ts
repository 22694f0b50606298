/**
 * Turns zod issues into the one-line problems users see: `path: message (got VALUE)`.
 * Every bad field is reported, not just the first, so a spec can be fixed in one pass.
 */
import type { z } from 'zod';

export interface SpecProblem {
  /** Dotted path into the document, e.g. `train.schedule.maxLr` or `data.split[0]`. */
  path: string;
  message: string;
  /** The offending value, when there is one. */
  got?: unknown;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Needs issues parsed with `{ reportInput: true }` to carry the offending values. */
export function problemsFromZod(error: z.ZodError, root: ReadonlyArray<PropertyKey> = []): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const issue of error.issues) {
    const path = [...root, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const input = issue.input as Record<string, unknown> | undefined;
      for (const key of issue.keys) {
        problems.push({ path: formatPath([...path, key]), message: 'unknown key', got: input?.[key] });
      }
      continue;
    }
    const problem: SpecProblem = { path: formatPath(path), message: issue.message };
    const got = offendingValue(issue.input, issue.path);
    if (got !== undefined) problem.got = got;
    problems.push(problem);
  }
  return problems;
}

/**
 * zod sometimes reports the enclosing object as the input (bad discriminators, refinements on a parent):
 * show the value at the issue's path instead, or nothing when it is missing.
 */
function offendingValue(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || path.length === 0) return input;
  let walked: unknown = input;
  for (const key of path) {
    if (walked === null || typeof walked !== 'object') {
      walked = undefined;
      break;
    }
    walked = (walked as Record<PropertyKey, unknown>)[key];
  }
  if (walked !== undefined) return walked;
  return (input as Record<PropertyKey, unknown>)[path[path.length - 1] as PropertyKey];
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatProblem(problem: SpecProblem): string {
  const got = 'got' in problem ? ` (got ${describeValue(problem.got)})` : '';
  return `${problem.path}: ${problem.message}${got}`;
}

/** Error carrying every problem of one document; `file` names where it came from. */
export class SpecError extends Error {
  constructor(
    readonly problems: SpecProblem[],
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}${problems.length} problem(s):\n  ${problems.map(formatProblem).join('\n  ')}`);
    this.name = 'SpecError';
  }
}
