/**
 * One model of a chain (`models:`) seen as a pipeline of its own: the pipeline's sections with the model's label
 * column and its trainer/train overrides, the other models' labels ignored (a model must never read the truth another
 * model predicts). Pure: the workflow derives it from the run's spec.
 */
import { modelOrder, upstreamOf, type ModelSpec } from '../twostage/spec.js';
import { mergeModelSections, type PipelineSpec } from './pipeline.js';

export function modelOf(spec: PipelineSpec, name: string): ModelSpec {
  const model = spec.models?.[name];
  if (!model) throw new RangeError(`models: no model ${JSON.stringify(name)}`);
  return model;
}

/** Columns a model must not read: the declared ignores, the group column, and every other model's label. */
export function modelIgnoreColumns(spec: PipelineSpec, name: string): string[] {
  const own = modelOf(spec, name).labelColumn;
  const labels = Object.values(spec.models ?? {}).map((model) => model.labelColumn);
  const group = spec.data.split.groupColumn;
  return [...new Set([...spec.data.ignoreColumns, ...(group ? [group] : []), ...labels, ...(spec.data.labelColumn ? [spec.data.labelColumn] : [])])].filter((column) => column !== own);
}

export function modelPipelineSpec(spec: PipelineSpec, name: string): PipelineSpec {
  const model = modelOf(spec, name);
  const merged = mergeModelSections(spec, model);
  // The pipeline's validation already parsed both merges; a failure here is a bug, not bad input.
  if (!merged.trainer.success || !merged.train.success || merged.kubernetes?.success === false) throw new Error(`models.${name}: trainer, train or kubernetes does not parse`);
  const { models: _models, handoff: _handoff, crossFit: _crossFit, goal: _goal, ...rest } = spec;
  return {
    ...rest,
    data: { ...spec.data, labelColumn: model.labelColumn, ignoreColumns: modelIgnoreColumns(spec, name) },
    trainer: merged.trainer.data,
    train: merged.train.data,
    ...(merged.kubernetes ? { kubernetes: merged.kubernetes.data } : {}),
    // The oracle gate scores one label column through a conversion; a chain's bound is stage 2 on true inputs.
    gates: { ...spec.gates, oracle: { enabled: false } },
  };
}

/** Models in the order they train, each with the models that read its predictions. */
export function modelPlan(spec: PipelineSpec): Array<{ name: string; from: string | null; as: string | null; consumers: string[] }> {
  const models = spec.models ?? {};
  return modelOrder(models).map((name) => {
    const inputs = modelOf(spec, name).inputs;
    return {
      name,
      from: 'from' in inputs ? inputs.from : null,
      as: 'from' in inputs ? inputs.as : null,
      consumers: Object.keys(models).filter((other) => upstreamOf(modelOf(spec, other)).includes(name)),
    };
  });
}
