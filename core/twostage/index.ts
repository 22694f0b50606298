/**
 * Two-stage (multi-model) pipelines, pure: the `models:` spec and its graph, cross-fitted out-of-fold folds, the
 * hand-off column, and the attribution of end-to-end errors to a stage. Workflows and activities wire these up.
 */
export * from './attribution.js';
export * from './crossFit.js';
export * from './handoff.js';
export * from './spec.js';
