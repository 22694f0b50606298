/**
 * The sweep's own activities for workflow tests with fake jobs: the table and hand-over over a Map instead of
 * MinIO, and the real (pure) TPE planner.
 */
import { suggestTrial } from '../../activities/sweepPlanner.js';
import type { TrialRecord } from '../../contracts/sweep.js';

export function memorySweepTable(name: string) {
  const records = new Map<number, TrialRecord>();
  const chunks = new Map<string, string>();
  return {
    records,
    chunks,
    activities: {
      suggestTrial,
      writeTrialTable: async (request: { records: TrialRecord[] }) => {
        for (const record of request.records) records.set(record.trial, structuredClone(record));
        return `s3://gauntlet/runs/${name}/trials.json`;
      },
      writeCarryChunk: async (request: { prefix: string; index: number; text: string }) => {
        chunks.set(`${request.prefix}/${request.index}`, request.text);
      },
      readCarryChunk: async (request: { prefix: string; index: number }) => {
        const text = chunks.get(`${request.prefix}/${request.index}`);
        if (text === undefined) throw new Error(`no chunk ${request.prefix}/${request.index}`);
        return text;
      },
    },
  };
}
