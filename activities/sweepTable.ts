/**
 * The sweep's trial table in the store, and the state a sweep hands to its next run. The table is paged (500
 * trials a page) and written a delta at a time, so neither a write nor the workflow ever holds all 10,000 records;
 * `trials.json` lists the pages. The hand-over state travels in chunks, each far below Temporal's payload limit.
 */
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { TrialRecord } from '../contracts/sweep.js';
import type { ArtifactStore } from './store.js';

export const TRIAL_PAGE_SIZE = 500;

export const TrialTableManifest = z.object({
  updatedAt: z.string(),
  total: z.number().int().min(0),
  pageSize: z.number().int().positive(),
  pages: z.array(z.string()),
});
export type TrialTableManifest = z.infer<typeof TrialTableManifest>;

/** Records are the workflow's own; the check here is that a page holds numbered trials. */
const TrialPage = z.object({ trials: z.array(z.looseObject({ trial: z.number().int().min(0) })) });

export function trialTableKey(workflowId: string): string {
  return `runs/${workflowId}/trials.json`;
}

function pageKey(workflowId: string, page: number): string {
  return `runs/${workflowId}/trials/page-${String(page).padStart(5, '0')}.json`;
}

export function createSweepTableActivities(deps: { store: ArtifactStore }) {
  const { store } = deps;
  return {
    /** Merges the changed records into their pages; returns the manifest's URI. */
    async writeTrialTable(request: { records: TrialRecord[]; total: number }): Promise<string> {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'unknown';
      const byPage = new Map<number, TrialRecord[]>();
      for (const record of request.records) {
        const page = Math.floor(record.trial / TRIAL_PAGE_SIZE);
        byPage.set(page, [...(byPage.get(page) ?? []), record]);
      }
      for (const [page, records] of byPage) {
        const uri = store.uri(pageKey(workflowId, page));
        const existing = (await store.exists(uri)) ? (await store.getJson(uri, TrialPage)).trials : [];
        const merged = new Map<number, unknown>(existing.map((record) => [record.trial, record]));
        for (const record of records) merged.set(record.trial, record);
        const trials = [...merged.entries()].sort(([a], [b]) => a - b).map(([, record]) => record);
        await store.putJson(pageKey(workflowId, page), { trials });
      }
      const pages = Array.from({ length: Math.ceil(request.total / TRIAL_PAGE_SIZE) }, (_, page) => store.uri(pageKey(workflowId, page)));
      const manifest: TrialTableManifest = { updatedAt: new Date().toISOString(), total: request.total, pageSize: TRIAL_PAGE_SIZE, pages };
      return store.putJson(trialTableKey(workflowId), manifest);
    },

    async writeCarryChunk(request: { prefix: string; index: number; text: string }): Promise<void> {
      await store.putBytes(`${request.prefix}/${String(request.index).padStart(4, '0')}.part`, request.text, 'text/plain; charset=utf-8');
    },

    async readCarryChunk(request: { prefix: string; index: number }): Promise<string> {
      return (await store.getBytes(store.uri(`${request.prefix}/${String(request.index).padStart(4, '0')}.part`))).toString('utf8');
    },
  };
}

/** The whole table (every page listed by the manifest), in trial order: for the CLI and tests. */
export async function readTrialTable(store: ArtifactStore, manifestUri: string): Promise<TrialRecord[]> {
  const manifest = await store.getJson(manifestUri, TrialTableManifest);
  const trials: TrialRecord[] = [];
  for (const uri of manifest.pages) {
    if (!(await store.exists(uri))) continue;
    // The workflow wrote these records; the schema only checks their shape's spine.
    trials.push(...((await store.getJson(uri, TrialPage)).trials as unknown as TrialRecord[]));
  }
  return trials;
}
