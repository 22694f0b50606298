/** Where the registry lives in the store: `models/<pipeline>/champion.json` and `models/<pipeline>/history/`. */

export const MODELS_PREFIX = 'models/';

export function championKey(pipeline: string): string {
  return `${MODELS_PREFIX}${pipeline}/champion.json`;
}

export function historyPrefix(pipeline: string): string {
  return `${MODELS_PREFIX}${pipeline}/history/`;
}

/**
 * `models/<pipeline>/history/20261126T124500.123Z-<run>.json`: fixed-width UTC time first, so listing the prefix
 * gives the events in order. `attempt` > 0 (a key already taken by another event) adds `-<attempt>`.
 */
export function historyKey(pipeline: string, at: string, runId: string, attempt = 0): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '');
  return `${historyPrefix(pipeline)}${stamp}-${runId}${attempt > 0 ? `-${attempt}` : ''}.json`;
}

/** The pipeline of a `models/<pipeline>/` folder. */
export function pipelineOfFolder(folder: string): string {
  return folder.slice(MODELS_PREFIX.length).replace(/\/$/, '');
}
