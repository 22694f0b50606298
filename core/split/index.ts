/**
 * Group-aware splits and the checks on them: holdout and k-fold assignment (whole groups, stratified), the valid/test
 * comparison, and whether the test split is big enough. Pure and deterministic: same inputs and seed, same result.
 */
export type { SplitManifest } from '../split.js';
export { assignGroups, type AssignOptions } from './assign.js';
export { chiSquareHomogeneity, type ChiSquareResult } from './chiSquare.js';
export { compareSplits, formatP, type FeatureColumns, type FeatureComparison } from './compare.js';
export { chiSquareSf, gammaQ, logGamma } from './gamma.js';
export { groupRows, SplitError, type Group, type GroupedRows } from './groups.js';
export { groupHoldout, type HoldoutOptions } from './holdout.js';
export { groupKFold, kfoldManifests, type KFoldManifests, type KFoldOptions } from './kfold.js';
export { kolmogorovSf, smirnovSf } from './kolmogorov.js';
export { ksTwoSample, type KsResult } from './ks.js';
export { normalQuantile } from './normal.js';
export { summarizeSplit, type PartSummary, type SplitSummary } from './summary.js';
export { minimumTestSize, testSizeCheck, wilsonHalfWidth, type TestPrecision } from './testSize.js';
