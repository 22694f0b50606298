#!/usr/bin/env node
// Writes core/spec/job.schema.json from core/spec/job.ts (build first: npx tsc -p tsconfig.json).
//   node scripts/job-schema.mjs           rewrite the file
//   node scripts/job-schema.mjs --check   exit 1 when the checked-in file is stale
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const built = join(root, 'dist/core/spec/jobSchema.js');
if (!existsSync(built)) {
  console.error(`${built} is missing: run npx tsc -p tsconfig.json first`);
  process.exit(1);
}
const { JOB_SCHEMA_PATH, renderJobJsonSchema } = await import(built);
const file = join(root, JOB_SCHEMA_PATH);
const text = renderJobJsonSchema();
if (process.argv.includes('--check')) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current !== text) {
    console.error(`${JOB_SCHEMA_PATH} is stale: run node scripts/job-schema.mjs`);
    process.exit(1);
  }
  console.log(`${JOB_SCHEMA_PATH} is up to date`);
} else {
  writeFileSync(file, text);
  console.log(`wrote ${JOB_SCHEMA_PATH}`);
}
