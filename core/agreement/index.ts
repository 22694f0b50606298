/** Inter-annotator agreement: pure and deterministic, so workflows can compute it as well as the CLI. */
export * from './accuracy.js';
export * from './cohen.js';
export * from './disagreement.js';
export * from './errors.js';
export * from './fleiss.js';
export * from './krippendorff.js';
export * from './percent.js';
export * from './ratings.js';
export * from './report.js';
