/**
 * Golden job documents (test/fixtures/job-contract) against the TypeScript validator, and the checked-in JSON Schema
 * against a fresh one. trainer/tests/test_contract_golden.py runs the same goldens through the Python mirror and
 * the JSON Schema, so all three validators agree on every document here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { problemsFromZod } from '../../core/spec/issues.js';
import { Job } from '../../core/spec/job.js';
import { JOB_SCHEMA_PATH, renderJobJsonSchema } from '../../core/spec/jobSchema.js';
import { repoRoot } from '../support/paths.js';

const goldens = join(repoRoot, 'test', 'fixtures', 'job-contract');
const MODES = Job.shape.mode.options;

function documents(kind: 'valid' | 'invalid'): [string, unknown][] {
  const dir = join(goldens, kind);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown]);
}

/** Invalid golden → the one field its defect is in (the path both validators must name). */
const expected = JSON.parse(readFileSync(join(goldens, 'invalid.expected.json'), 'utf8')) as Record<string, { path: string }>;

describe('job contract goldens', () => {
  const valid = documents('valid');
  const invalid = documents('invalid');

  test('cover every mode and a dozen defects', () => {
    const modes = new Set(valid.map(([, doc]) => (doc as { mode: string }).mode));
    assert.deepEqual([...modes].sort(), [...MODES].sort());
    assert.ok(invalid.length >= 12, `only ${invalid.length} invalid goldens`);
    assert.deepEqual(invalid.map(([name]) => name), Object.keys(expected).sort(), 'invalid.expected.json lists every invalid golden');
  });

  for (const [name, doc] of valid) {
    test(`accepts valid/${name}`, () => {
      const parsed = Job.safeParse(doc, { reportInput: true });
      assert.ok(parsed.success, parsed.success ? '' : problemsFromZod(parsed.error).map((p) => `${p.path}: ${p.message}`).join('\n'));
    });
  }

  for (const [name, doc] of invalid) {
    test(`rejects invalid/${name} naming ${expected[name]?.path}`, () => {
      const parsed = Job.safeParse(doc, { reportInput: true });
      assert.equal(parsed.success, false, 'expected the document to be rejected');
      if (parsed.success) return;
      // One defect per golden: every problem is about that one field.
      const paths = problemsFromZod(parsed.error).map((problem) => problem.path);
      assert.deepEqual([...new Set(paths)], [expected[name]?.path]);
    });
  }
});

describe('job contract JSON Schema', () => {
  test(`${JOB_SCHEMA_PATH} matches core/spec/job.ts (else run: node scripts/job-schema.mjs)`, () => {
    assert.equal(readFileSync(join(repoRoot, JOB_SCHEMA_PATH), 'utf8'), renderJobJsonSchema());
  });
});
