/** Writes a run's split manifests next to its data set, each under its content hash (a retry writes the same keys). */
import { createHash } from 'node:crypto';
import type { SplitManifest } from '../core/split.js';
import type { SplitPlan } from '../core/split/plan.js';
import type { ArtifactStore } from './store.js';
import type { IngestResult } from './types.js';

const counts = (manifest: SplitManifest) => ({ train: manifest.train.length, valid: manifest.valid.length, test: manifest.test.length });

export async function storeManifest(store: ArtifactStore, dataSha: string, manifest: SplitManifest): Promise<{ splitUri: string; splitSha256: string }> {
  const json = JSON.stringify(manifest);
  // Hashed here, not with ingest.ts's sha256: ingest imports this module, and the import graph has no cycles.
  const splitSha256 = createHash('sha256').update(json).digest('hex');
  const splitUri = await store.putBytes(`datasets/${dataSha}/splits/${splitSha256}.json`, json, 'application/json');
  return { splitUri, splitSha256 };
}

export async function storeSplitPlan(store: ArtifactStore, dataSha: string, plan: SplitPlan): Promise<Pick<IngestResult, 'counts' | 'splitSha256' | 'folds'> & { splitUri: string }> {
  const main = await storeManifest(store, dataSha, plan.main);
  const folds = plan.folds ? await Promise.all(plan.folds.map(async (fold) => ({ ...(await storeManifest(store, dataSha, fold)), counts: counts(fold) }))) : null;
  return { splitUri: main.splitUri, splitSha256: main.splitSha256, counts: counts(plan.main), ...(folds ? { folds } : {}) };
}
