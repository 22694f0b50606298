/** Folder sources: which snapshot a run reads (core/data/snapshot.ts), and what the spec accepts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pickSnapshot, SnapshotError } from '../../core/data/snapshot.js';
import { validatePipeline } from '../../core/spec/parse.js';
import { formatProblem } from '../../core/spec/issues.js';

const pipeline = (data: Record<string, unknown>) => validatePipeline({ apiVersion: 'gauntlet.dev/v1', kind: 'Pipeline', name: 'snap', data, train: { epochs: 1, schedule: { kind: 'one_cycle', maxLr: 0.1 } } });

describe('snapshots', () => {
  test('latest is the last .csv in name order, numbers compared as numbers', () => {
    assert.equal(pickSnapshot('file:/d/', ['2026-11-29.csv', '2026-11-30.csv', '2026-11-28.csv', 'README.md'], 'latest'), '2026-11-30.csv');
    assert.equal(pickSnapshot('file:/d/', ['day-9.csv', 'day-10.csv'], 'latest'), 'day-10.csv');
  });

  test('a named snapshot must be in the folder; an empty folder says so', () => {
    assert.equal(pickSnapshot('file:/d/', ['a.csv', 'b.csv'], 'a.csv'), 'a.csv');
    assert.throws(() => pickSnapshot('file:/d/', ['a.csv', 'b.csv'], 'c.csv'), (error: unknown) => error instanceof SnapshotError && /data\.snapshot: "c\.csv" is not in file:\/d\/ \(it holds a\.csv, b\.csv\)/.test(error.message));
    assert.throws(() => pickSnapshot('s3://b/p/', [], 'latest'), /data\.source: no \.csv file in s3:\/\/b\/p\/ \(it is empty\)/);
    assert.throws(() => pickSnapshot('file:/d/', ['notes.txt'], 'latest'), /no \.csv file in file:\/d\/ \(it holds notes\.txt\)/);
  });

  test('a folder or MinIO prefix source takes snapshot latest by default', () => {
    const folder = pipeline({ source: 'file:nightly/' });
    assert.ok(folder.ok);
    assert.equal(folder.spec.data.snapshot, 'latest');
    const prefix = pipeline({ source: 's3://incoming/digits/', snapshot: '2026-11-30.csv' });
    assert.ok(prefix.ok);
    assert.equal(prefix.spec.data.snapshot, '2026-11-30.csv');
    const file = pipeline({ source: 'file:data.csv' });
    assert.ok(file.ok);
    assert.equal(file.spec.data.snapshot, undefined);
  });

  test('snapshot on a single file, or a bad snapshot name, is an error naming the field and value', () => {
    const single = pipeline({ source: 'file:data.csv', snapshot: 'latest' });
    assert.ok(!single.ok);
    assert.match(single.problems.map(formatProblem).join('\n'), /data\.snapshot: only for a folder source \(ending in "\/"\), not "file:data\.csv"/);
    const bad = pipeline({ source: 'file:nightly/', snapshot: 'yesterday' });
    assert.ok(!bad.ok);
    assert.match(bad.problems.map(formatProblem).join('\n'), /data\.snapshot: must be "latest" or the name of a \.csv file/);
    const noSlash = pipeline({ source: 's3://incoming/digits' });
    assert.ok(!noSlash.ok);
  });
});
