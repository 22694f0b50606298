/** The report's header: which run, its goal and outcome, and the spec in a few lines. */
import type { RunInfo } from '../../core/report/types.js';
import { lr } from '../../core/report/format.js';
import type { ReportContext } from './context.js';
import { chainSpec } from './models.js';

const pct = (share: number): string => `${Number((share * 100).toFixed(1))}%`;

function specLines(ctx: ReportContext): Array<[string, string]> {
  const { spec } = ctx;
  const lines: Array<[string, string]> = [];
  const split = spec.data.split;
  lines.push([
    'data',
    [
      spec.data.source,
      `label column ${spec.data.labelColumn}`,
      split?.valid !== undefined && split.test !== undefined ? `valid ${pct(split.valid)} · test ${pct(split.test)}` : '',
      split?.stratify ? 'stratified' : '',
      split?.seed !== undefined ? `seed ${split.seed}` : '',
      spec.data.ignoreColumns.length ? `ignoring ${spec.data.ignoreColumns.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' · '),
  ]);
  if (spec.label) {
    const { label } = spec;
    lines.push([
      'label',
      [
        `${label.annotators.length} annotators (${label.annotators.map((a) => `${a.name}: ${a.kind}`).join(', ')})`,
        label.batchSize !== undefined ? `batches of ${label.batchSize}` : '',
        label.overlap?.fraction ? `${pct(label.overlap.fraction)} labeled twice` : '',
        label.adjudicate ? `disputes: ${label.adjudicate}` : '',
        label.gate ? `gate ${label.gate.metric} ≥ ${label.gate.min}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    ]);
  }
  const gates = spec.gates;
  const chain = chainSpec(ctx);
  const chained = chain.models !== undefined && Object.keys(chain.models).length > 0;
  if (gates) {
    const overfit = gates.overfit?.enabled ? `overfit one batch of ${gates.overfit.batchSize} to loss < ${gates.overfit.lossThreshold} within ${gates.overfit.maxSteps} steps` : 'overfit gate off';
    // A chain turns each model's oracle gate off: its bound is the reading model on true inputs.
    const bound = chained ? 'upper bound: each reading model on true inputs' : `oracle bound ${gates.oracle?.enabled === false ? 'off' : 'on'}`;
    lines.push(['gates', `${overfit}${chained ? ' (per model)' : ''} · ${bound}`]);
  }
  const { train } = spec;
  const schedule = train.schedule.kind === 'constant' ? `constant lr ${lr(train.schedule.lr)}` : train.schedule.maxLr !== undefined ? `one-cycle, max LR ${lr(train.schedule.maxLr)}` : 'one-cycle, max LR from the LR range test';
  if (train.lrFind && train.schedule.kind === 'one_cycle' && train.schedule.maxLr === undefined) {
    lines.push(['lr-find', `range test ${lr(train.lrFind.startLr)} → ${lr(train.lrFind.endLr)} over ${train.lrFind.numSteps} steps · policy ${train.lrFind.policy}`]);
  }
  const hyper = Object.entries(train.hyperparameters).map(([k, v]) => `${k} ${String(v)}`);
  lines.push(['train', [`${train.epochs} epochs`, `batch ${train.batchSize}`, schedule, ...hyper].join(' · ')]);
  if (spec.sweep) {
    lines.push([
      'sweep',
      `${spec.sweep.strategy.kind} over ${Object.keys(spec.sweep.space).join(', ')}${spec.sweep.budget ? ` · ${spec.sweep.budget.maxTrials} trials` : ''} · early stopping ${spec.sweep.earlyStopping.kind} · objective ${spec.sweep.objective.metric}`,
    ]);
  }
  if (chained && chain.models) {
    const models = Object.entries(chain.models).map(([name, model]) => `${name} (${model.labelColumn}${model.inputs?.from ? `, reads ${model.inputs.from} as ${model.inputs.as ?? '?'}` : ''})`);
    lines.push(['models', [models.join(', '), chain.handoff ? `hand-off ${chain.handoff}` : '', chain.crossFit?.folds ? `${chain.crossFit.folds}-fold cross-fitting` : ''].filter(Boolean).join(' · ')]);
  }
  lines.push(['evaluate', `${spec.evaluate.split} split · ${spec.evaluate.metric}`]);
  if (spec.trainer) lines.push(['trainer', `${spec.trainer.kind} · ${spec.executor ?? 'local'} executor${spec.trainer.device ? ` · device ${spec.trainer.device}` : ''}`]);
  return lines;
}

/** The value the goal is judged on: the final-output accuracy when a conversion is declared, else the split's metric. */
function goalValue(ctx: ReportContext): number | null {
  const goal = ctx.spec.goal;
  if (!goal) return null;
  const { split } = ctx.spec.evaluate;
  const metrics = ctx.manifest.metrics;
  if (goal.metric === 'accuracy' && typeof metrics[`${split}_final_accuracy`] === 'number') return metrics[`${split}_final_accuracy`] ?? null;
  return metrics[`${split}_${goal.metric}`] ?? null;
}

export function runInfo(ctx: ReportContext, manifestUri: string): RunInfo {
  const { manifest, spec } = ctx;
  // Without a recorded status, a manifest means the run reached its record stage; a sweep cut short by failures is `incomplete`.
  const status = manifest.status ?? (manifest.sweep?.stoppedBecause === 'maxFailedTrials' ? 'incomplete' : 'succeeded');
  return {
    runId: manifest.runId,
    pipeline: manifest.pipeline,
    ...(spec.description ? { description: spec.description } : {}),
    status,
    ...(manifest.startedAt ? { startedAt: manifest.startedAt } : {}),
    ...(manifest.finishedAt ? { finishedAt: manifest.finishedAt } : {}),
    specFile: manifest.specFile ?? null,
    spec: specLines(ctx),
    ...(manifest.code ? { code: manifest.code } : {}),
    metrics: manifest.metrics,
    ...(spec.goal
      ? { goal: { metric: spec.goal.metric, ...(spec.goal.min !== undefined ? { min: spec.goal.min } : {}), ...(spec.goal.max !== undefined ? { max: spec.goal.max } : {}), met: manifest.goalMet ?? null, value: goalValue(ctx) } }
      : {}),
    manifestUri,
  };
}
