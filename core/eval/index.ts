/** Evaluation statistics: pure and deterministic (seeded), so workflows can compute them as well as the CLI. */
export * from './align.js';
export * from './beta.js';
export * from './binomial.js';
export * from './bootstrap.js';
export * from './ceilings.js';
export * from './compare.js';
export * from './confusion.js';
export * from './errors.js';
export * from './headline.js';
export * from './interval.js';
export * from './mcnemar.js';
export * from './metrics.js';
export * from './noise.js';
export * from './probabilistic.js';
export * from './proportion.js';
export * from './report.js';
