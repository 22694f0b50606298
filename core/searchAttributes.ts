/**
 * Search attributes Gauntlet registers on its Temporal namespace, so runs can be filtered in the Web UI
 * (e.g. `GauntletPipeline = "digits" AND GauntletStatus = "running"`). One list, read by the dev stack
 * (which registers them) and by the workflows (which upsert them).
 */
export const SEARCH_ATTRIBUTES = {
  GauntletPipeline: 'Keyword',
  GauntletStatus: 'Keyword',
  GauntletStage: 'Keyword',
  GauntletBestMetric: 'Double',
} as const;
export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
