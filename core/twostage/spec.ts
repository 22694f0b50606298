/**
 * The `models:` section of a multi-model pipeline (issue 13): named models, each trained on its own label column,
 * where a model may take another model's predictions as an extra input column. Plus how those predictions are
 * handed on (`handoff`) and how the out-of-fold ones are made (`crossFit`). The graph is a DAG: every model runs
 * after the models it reads from (`modelOrder`).
 */
import { z } from 'zod';

/** Lower-case words joined by dashes: a model's name becomes part of workflow ids and object keys. */
export const ModelName = z
  .string()
  .regex(/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes, start with a letter, at most 32 characters');

/** A CSV column name as core/csv.ts reads them: no quoting, so no comma, quote or line break. */
export const ColumnName = z
  .string()
  .min(1, 'must not be empty')
  .regex(/^[^,"\r\n]+$/, 'must not contain a comma, a double quote or a line break (CSV columns are not quoted)')
  .refine((name) => name.trim() === name, 'must not start or end with spaces');

/**
 * Every column of the data set, or those plus one column `as` holding model `from`'s predicted class index. One
 * strict object checked by hand, not a union: a union's error cannot say which key is wrong.
 */
export const ModelInputs = z
  .object({ columns: z.literal('all').optional(), from: ModelName.optional(), as: ColumnName.optional() })
  .strict()
  .superRefine((inputs, ctx) => {
    // continue: false: the transform below must not turn a half-written inputs into one that parses.
    const fromAs = inputs.from !== undefined || inputs.as !== undefined;
    if (inputs.columns !== undefined && fromAs) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'either columns: all, or from and as, not both', input: inputs.columns, continue: false });
    } else if (inputs.columns === undefined && !fromAs) {
      ctx.addIssue({ code: 'custom', path: [], message: 'must be { columns: all } or { from: <model name>, as: <new column name> }', input: inputs, continue: false });
    } else if (fromAs && inputs.as === undefined) {
      ctx.addIssue({ code: 'custom', path: ['as'], message: `is required with from: the new column that holds model "${inputs.from}"'s predictions`, continue: false });
    } else if (fromAs && inputs.from === undefined) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: `is required with as: the model whose predictions column "${inputs.as}" holds`, continue: false });
    }
  })
  .transform((inputs): { columns: 'all' } | { from: string; as: string } =>
    inputs.from !== undefined && inputs.as !== undefined ? { from: inputs.from, as: inputs.as } : { columns: 'all' },
  );
export type ModelInputs = z.infer<typeof ModelInputs>;

/** Placeholders for the pipeline's own sections (trainer, train, sweep): the pipeline schema supplies the real ones. */
const Overrides = z.record(z.string(), z.unknown());

export const ModelSpec = z
  .object({
    labelColumn: ColumnName,
    inputs: ModelInputs.default({ columns: 'all' }),
    trainer: Overrides.optional(),
    train: Overrides.optional(),
    /** On the kubernetes executor: this model's image or container command (a user's model lives at its own path). */
    kubernetes: Overrides.optional(),
    sweep: Overrides.optional(),
  })
  .strict();
export type ModelSpec = z.infer<typeof ModelSpec>;

/**
 * oof: the downstream model trains on out-of-fold predictions (so it learns to live with upstream errors) and is
 * evaluated on the final upstream model's predictions. groundTruth: it trains and is evaluated on the upstream label
 * (an oracle: what stage 2 can do with a perfect stage 1). both: trains on the label, evaluated on predictions.
 */
export const Handoff = z.enum(['oof', 'groundTruth', 'both']);
export type Handoff = z.infer<typeof Handoff>;

export const CrossFit = z
  .object({ folds: z.number().int('must be a whole number').min(2, 'must be at least 2').max(20, 'must be at most 20').default(5) })
  .strict();
export type CrossFit = z.infer<typeof CrossFit>;

export interface ModelGraphIssue {
  /** Relative to the section holding `models`, e.g. ['models', 'reader', 'inputs', 'from']. */
  path: Array<string | number>;
  message: string;
  input?: unknown;
}

export const ModelsSection = z
  .object({
    models: z
      .record(ModelName, ModelSpec, { error: (issue) => (issue.code === 'invalid_key' ? `model name ${issue.issues[0]?.message ?? 'is invalid'}` : undefined) })
      .refine((models) => Object.keys(models).length > 0, 'must name at least one model'),
    handoff: Handoff.default('oof'),
    crossFit: CrossFit.default({ folds: 5 }),
  })
  .strict()
  .superRefine((section, ctx) => {
    for (const issue of modelGraphIssues(section.models)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type ModelsSection = z.infer<typeof ModelsSection>;

/** The models a model reads predictions from (one today; a list so that the graph code need not change for more). */
export function upstreamOf(model: ModelSpec): string[] {
  return 'from' in model.inputs ? [model.inputs.from] : [];
}

/**
 * What the schema cannot say alone: `from` naming no model, a model reading itself, a cycle (reported once, as its
 * path), and two models appending the same column. Call from a pipeline schema's superRefine, as ModelsSection does.
 */
export function modelGraphIssues(models: Readonly<Record<string, ModelSpec>>): ModelGraphIssue[] {
  const issues: ModelGraphIssue[] = [];
  const names = Object.keys(models);
  const appended = new Map<string, string>();
  for (const name of names) {
    const inputs = (models[name] as ModelSpec).inputs;
    if (!('from' in inputs)) continue;
    const path = ['models', name, 'inputs'];
    if (inputs.from === name) {
      issues.push({ path: [...path, 'from'], message: `model "${name}" cannot consume its own predictions`, input: inputs.from });
    } else if (!(inputs.from in models)) {
      issues.push({ path: [...path, 'from'], message: `names no model (models: ${names.join(', ')})`, input: inputs.from });
    }
    const other = appended.get(inputs.as);
    if (other !== undefined) {
      issues.push({ path: [...path, 'as'], message: `is already the column model "${other}" appends`, input: inputs.as });
    } else appended.set(inputs.as, name);
  }
  for (const cycle of findCycles(models)) {
    const first = cycle[0] as string;
    issues.push({ path: ['models', first, 'inputs', 'from'], message: `predictions flow in a cycle: ${cycle.join(' → ')} → ${first}`, input: upstreamOf(models[first] as ModelSpec)[0] });
  }
  return issues;
}

/**
 * Checked once the data set's header is known: an `as` column that already exists would be silently overwritten
 * (or shadow the label), so it is an error naming the model.
 */
export function columnCollisionIssues(models: Readonly<Record<string, ModelSpec>>, header: readonly string[]): ModelGraphIssue[] {
  const existing = new Set(header);
  return Object.entries(models).flatMap(([name, model]): ModelGraphIssue[] =>
    'from' in model.inputs && existing.has(model.inputs.as)
      ? [{ path: ['models', name, 'inputs', 'as'], message: 'is already a column of the data set: pick a new name for the predictions', input: model.inputs.as }]
      : [],
  );
}

export class ModelGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelGraphError';
  }
}

/**
 * The models in an order where every model comes after the models it reads from; among models free to go, the one
 * declared first goes first, so the order is stable. Throws ModelGraphError on an unknown `from`, a model reading
 * itself, or a cycle.
 */
export function modelOrder(models: Readonly<Record<string, ModelSpec>>): string[] {
  const names = Object.keys(models);
  for (const name of names) {
    for (const from of upstreamOf(models[name] as ModelSpec)) {
      if (from === name) throw new ModelGraphError(`models.${name}.inputs.from: model "${name}" cannot consume its own predictions`);
      if (!(from in models)) throw new ModelGraphError(`models.${name}.inputs.from: names no model (got ${JSON.stringify(from)})`);
    }
  }
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < names.length) {
    const next = names.find((name) => !placed.has(name) && upstreamOf(models[name] as ModelSpec).every((from) => placed.has(from)));
    if (next === undefined) {
      const cycle = findCycles(models)[0] ?? names.filter((name) => !placed.has(name));
      throw new ModelGraphError(`models.${cycle[0]}.inputs.from: predictions flow in a cycle: ${[...cycle, cycle[0]].join(' → ')}`);
    }
    order.push(next);
    placed.add(next);
  }
  return order;
}

/** Each cycle DFS meets, once, in the order predictions flow, from its first-declared model; self-loops are left out. */
function findCycles(models: Readonly<Record<string, ModelSpec>>): string[][] {
  const names = Object.keys(models);
  const rank = new Map(names.map((name, i) => [name, i]));
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  // Edges point from a model to the models it reads; a back edge to a model on the stack closes a cycle.
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    for (const from of upstreamOf(models[name] as ModelSpec)) {
      if (from === name || !(from in models)) continue;
      if (state.get(from) === 'active') {
        // Reversed: the stack goes from a model to the ones it reads, the message goes the way predictions flow.
        const loop = stack.slice(stack.indexOf(from)).reverse();
        const start = loop.reduce((best, at, i) => ((rank.get(at) as number) < (rank.get(loop[best] as string) as number) ? i : best), 0);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        cycles.push(rotated);
      } else if (state.get(from) === undefined) visit(from);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of names) if (state.get(name) === undefined) visit(name);
  return cycles;
}
