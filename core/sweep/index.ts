/** The hyperparameter sweep's pure core: spec, search space, samplers and early-stopping rules. */
export * from './asha.js';
export * from './config.js';
export * from './hash.js';
export * from './median.js';
export * from './parameters.js';
export * from './plan.js';
export * from './space.js';
export * from './spec.js';
export * from './stopping.js';
export * from './tpe.js';
export { EMPTY_RANKED, linearPercentile, orientedPercentile, rawPercentile, withValue, type RankedValues } from './percentile.js';
