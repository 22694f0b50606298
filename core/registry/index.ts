/** The model registry's pure side: records, the promotion rule, history and keys (the store side is activities/registry.ts). */
export * from './schemas.js';
export { compareWithChampion, decidePromotion, type Challenger, type McNemarResult, type PromotionDecision, type PromotionInput } from './promotion.js';
export { championStack, formerChampions, rollbackTarget, type RollbackTarget } from './history.js';
export { championKey, historyKey, historyPrefix, MODELS_PREFIX, pipelineOfFolder } from './keys.js';
export { higherIsBetter } from './direction.js';
export { headlineName, headlineOf, type EvaluateView } from './headline.js';
