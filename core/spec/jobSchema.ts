/**
 * The job contract as JSON Schema (draft 2020-12), generated from core/spec/job.ts so non-TypeScript trainers can
 * validate a document without zod. The checked-in copy is core/spec/job.schema.json: `node scripts/job-schema.mjs`
 * rewrites it, and test/unit/jobContractGolden.test.ts fails when it is stale.
 */
import { z } from 'zod';
import { Job } from './job.js';

/** Repository-relative path of the checked-in schema. */
export const JOB_SCHEMA_PATH = 'core/spec/job.schema.json';

/** The schema of what an executor may hand a trainer: the input side, so fields with defaults are optional. */
export function jobJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Job, { io: 'input', target: 'draft-2020-12' });
}

/** The file's exact text: two-space JSON and a final newline, so a regenerated copy diffs cleanly. */
export function renderJobJsonSchema(): string {
  return `${JSON.stringify(jobJsonSchema(), null, 2)}\n`;
}
