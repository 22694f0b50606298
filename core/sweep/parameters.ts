/**
 * One entry of a sweep's search space, as written in the pipeline file, and its normalised domain.
 *
 *   lr:        { loguniform: [1e-4, 1e-1] }   # log-uniform, low > 0
 *   dropout:   { uniform: [0.0, 0.5] }
 *   hidden:    { int: [32, 256], step: 32 }   # 32, 64, …, 256
 *   optimizer: { choice: [sgd, adamw] }       # numbers, strings or booleans; distinct
 *   momentum:  0.9                            # fixed
 */
import { z } from 'zod';
import type { ParameterValue } from './config.js';

export const Scalar = z.custom<ParameterValue>(
  (value) => typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)),
  'must be a number, string or boolean',
);

const Bounds = z.tuple([z.number(), z.number()]);

export const UniformParameter = z.strictObject({ uniform: Bounds });
export const LogUniformParameter = z.strictObject({ loguniform: Bounds });
export const IntParameter = z.strictObject({
  int: z.tuple([z.number().int(), z.number().int()]),
  /** Distance between values; high − low must be a multiple of it. @default 1 */
  step: z.number().int().min(1).optional(),
});
export const ChoiceParameter = z.strictObject({ choice: z.array(Scalar).min(1, 'must list at least one value') });

export type UniformParameter = z.infer<typeof UniformParameter>;
export type LogUniformParameter = z.infer<typeof LogUniformParameter>;
export type IntParameter = z.infer<typeof IntParameter>;
export type ChoiceParameter = z.infer<typeof ChoiceParameter>;
export type ParameterSpec = UniformParameter | LogUniformParameter | IntParameter | ChoiceParameter | ParameterValue;

const FORMS = { uniform: UniformParameter, loguniform: LogUniformParameter, int: IntParameter, choice: ChoiceParameter } as const;
const FORM_HINT =
  'must be { uniform: [low, high] }, { loguniform: [low, high] }, { int: [low, high], step? }, { choice: [values] } or a fixed number, string or boolean';

/** A problem with one parameter; `path` is relative to the parameter's value. */
export interface ParameterIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  keys?: string[];
}

/**
 * The type of a space entry; the checks are in `parameterIssues`, run by the space (which knows the name, so that
 * an error shows the offending value).
 */
export const ParameterSpec = z.custom<ParameterSpec>();

/**
 * A plain zod union reports "Invalid input" with every alternative's failure; instead, the key that is present picks
 * the form, so `{ uniform: [1] }` is reported as `…uniform: Too small…` and a typo as an unknown key.
 */
export function parameterIssues(value: unknown): ParameterIssue[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [{ code: 'custom', path: [], message: 'must be a finite number', input: value }];
  if (typeof value === 'string' || typeof value === 'boolean') return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [{ code: 'custom', path: [], message: FORM_HINT, input: value }];
  const form = (Object.keys(FORMS) as (keyof typeof FORMS)[]).find((key) => key in value);
  if (!form) return [{ code: 'custom', path: [], message: FORM_HINT, input: value }];
  const parsed = FORMS[form].safeParse(value, { reportInput: true });
  if (!parsed.success) return parsed.error.issues.map((issue) => ({ ...issue, path: [...issue.path] }) as ParameterIssue);
  return boundsProblems(parsed.data).map((problem) => ({ code: 'custom', ...problem }));
}

function boundsProblems(spec: UniformParameter | LogUniformParameter | IntParameter | ChoiceParameter): { path: string[]; message: string; input: unknown }[] {
  if ('choice' in spec) {
    const seen = new Set<string>();
    const duplicates = spec.choice.filter((value) => {
      const key = JSON.stringify(value);
      const repeated = seen.has(key);
      seen.add(key);
      return repeated;
    });
    return duplicates.length > 0
      ? [{ path: ['choice'], message: `values must be distinct (${duplicates.map((d) => JSON.stringify(d)).join(', ')} repeated)`, input: spec.choice }]
      : [];
  }
  const [key, [low, high]] = 'uniform' in spec ? ['uniform', spec.uniform] : 'loguniform' in spec ? ['loguniform', spec.loguniform] : ['int', spec.int];
  const problems: { path: string[]; message: string; input: unknown }[] = [];
  if (low >= high) problems.push({ path: [key], message: 'low must be below high (for a single value, write it as a fixed value)', input: [low, high] });
  if (key === 'loguniform' && low <= 0) problems.push({ path: [key], message: 'loguniform needs low > 0', input: [low, high] });
  if ('int' in spec && spec.step !== undefined && low < high && (high - low) % spec.step !== 0) {
    const last = low + Math.floor((high - low) / spec.step) * spec.step;
    problems.push({ path: ['step'], message: `high − low (${high - low}) is not a multiple of step: use high ${last}`, input: spec.step });
  }
  return problems;
}

/** A parameter's normalised domain, the form the samplers work on. Choice values keep their written order. */
export type ParameterDomain =
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'loguniform'; low: number; high: number }
  | { kind: 'int'; low: number; high: number; step: number }
  | { kind: 'choice'; values: readonly ParameterValue[] }
  | { kind: 'fixed'; value: ParameterValue };

export function parameterDomain(spec: ParameterSpec): ParameterDomain {
  if (typeof spec !== 'object') return { kind: 'fixed', value: spec };
  if ('uniform' in spec) return { kind: 'uniform', low: spec.uniform[0], high: spec.uniform[1] };
  if ('loguniform' in spec) return { kind: 'loguniform', low: spec.loguniform[0], high: spec.loguniform[1] };
  if ('int' in spec) return { kind: 'int', low: spec.int[0], high: spec.int[1], step: spec.step ?? 1 };
  return { kind: 'choice', values: spec.choice };
}

/** Discrete domains have finitely many values; grid search and range-test groups need them. */
export function isDiscrete(domain: ParameterDomain): boolean {
  return domain.kind === 'int' || domain.kind === 'choice' || domain.kind === 'fixed';
}

/** Every value of a discrete domain, in grid order (choices as written, ints ascending). */
export function domainValues(domain: ParameterDomain): ParameterValue[] {
  switch (domain.kind) {
    case 'fixed':
      return [domain.value];
    case 'choice':
      return [...domain.values];
    case 'int': {
      const values: number[] = [];
      for (let v = domain.low; v <= domain.high; v += domain.step) values.push(v);
      return values;
    }
    default:
      throw new Error(`a ${domain.kind} parameter has no finite list of values`);
  }
}

/** How many values a domain has (Infinity for continuous ones). */
export function domainSize(domain: ParameterDomain): number {
  switch (domain.kind) {
    case 'fixed':
      return 1;
    case 'choice':
      return domain.values.length;
    case 'int':
      return Math.floor((domain.high - domain.low) / domain.step) + 1;
    default:
      return Infinity;
  }
}

/** Whether `value` lies in the domain (used to skip observations from another space, e.g. an edited spec). */
export function inDomain(domain: ParameterDomain, value: ParameterValue): boolean {
  switch (domain.kind) {
    case 'fixed':
      return value === domain.value;
    case 'choice':
      return domain.values.some((candidate) => candidate === value);
    case 'int':
      return typeof value === 'number' && Number.isInteger((value - domain.low) / domain.step) && value >= domain.low && value <= domain.high;
    default:
      return typeof value === 'number' && value >= domain.low && value <= domain.high;
  }
}
