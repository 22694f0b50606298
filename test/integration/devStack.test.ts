/**
 * The embedded dev stack with real processes: Temporal dev server + MinIO on free ports in a temp state folder.
 * First run on a machine builds the binaries (minutes); afterwards the whole file takes seconds.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as Minio from 'minio';
import { SEARCH_ATTRIBUTES } from '../../core/searchAttributes.js';
import { ensureBinary } from '../../deploy/dev/binaries.js';
import { DevError } from '../../deploy/dev/errors.js';
import { runCapture } from '../../deploy/dev/exec.js';
import { freePorts, portInUse } from '../../deploy/dev/net.js';
import { statePaths } from '../../deploy/dev/paths.js';
import { processStartTime, readPidFile } from '../../deploy/dev/process.js';
import { devDown, devStatus, devUp } from '../../deploy/dev/stack.js';
import { listSearchAttributes } from '../../deploy/dev/temporal.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { workerEntry } from '../../deploy/dev/worker.js';

const quiet = { log: () => undefined };

describe('gauntlet dev stack (real Temporal + MinIO)', () => {
  let stack: TestStack;
  let temporal: string;

  before(async () => {
    stack = await startTestStack({ worker: false });
    temporal = stack.stack.services.temporal!.binary!;
  });
  after(async () => {
    await stack?.stop();
  });

  it('serves Temporal: cluster health is SERVING and the Web UI answers', async () => {
    const health = await runCapture(temporal, ['operator', 'cluster', 'health', '--address', stack.temporalAddress]);
    assert.equal(health.code, 0, health.stderr);
    assert.match(health.stdout, /SERVING/);
    const ui = await fetch(stack.uiUrl);
    assert.equal(ui.status, 200);
  });

  it('creates the artifact bucket in MinIO', async () => {
    const client = new Minio.Client({
      endPoint: stack.host,
      port: stack.ports.minio,
      useSSL: false,
      accessKey: stack.storage.accessKey,
      secretKey: stack.storage.secretKey,
    });
    assert.equal(await client.bucketExists(stack.bucket), true);
  });

  it('registers every search attribute in core/searchAttributes.ts', async () => {
    const registered = await listSearchAttributes(temporal, stack.temporalAddress, stack.namespace);
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) assert.equal(registered[name], type, name);
  });

  it('re-registers a search attribute the existing DB lacks on the next up', async () => {
    // Stands in for "an attribute added to SEARCH_ATTRIBUTES after the DB was created": start-dev ignores it then.
    const name = 'GauntletStage';
    const removed = await runCapture(temporal, ['operator', 'search-attribute', 'remove', '--address', stack.temporalAddress, '--name', name, '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await listSearchAttributes(temporal, stack.temporalAddress, stack.namespace))[name], undefined);
    await devUp({ stateDir: stack.stateDir, worker: false, ...quiet });
    assert.equal((await listSearchAttributes(temporal, stack.temporalAddress, stack.namespace))[name], 'Keyword');
  });

  it('up again is a no-op: same pids, nothing started', async () => {
    const again = await devUp({ stateDir: stack.stateDir, worker: false, ...quiet });
    assert.deepEqual(again.actions, { temporal: 'already running', minio: 'already running', worker: 'disabled' });
    assert.equal(again.stack.services.temporal?.pid, stack.stack.services.temporal?.pid);
    assert.equal(again.stack.services.minio?.pid, stack.stack.services.minio?.pid);
  });

  it('keeps the credentials in a 0600 file and out of stack.json', () => {
    const paths = statePaths(stack.stateDir);
    assert.equal(statSync(paths.credentialsFile).mode & 0o777, 0o600);
    assert.doesNotMatch(JSON.stringify(stack.stack), new RegExp(stack.storage.secretKey));
  });

  it('reports each service in status', async () => {
    const status = await devStatus({ stateDir: stack.stateDir });
    const byName = Object.fromEntries(status.services.map((s) => [s.name, s]));
    assert.equal(byName.temporal?.state, 'running');
    assert.equal(byName.minio?.state, 'running');
    assert.equal(byName.worker?.state, 'disabled');
    assert.equal(status.urls.ui, stack.uiUrl);
  });

  it('refuses a busy port with one clear line and starts nothing', async () => {
    const other = mkdtempSync(join(tmpdir(), 'gauntlet-busy-'));
    try {
      // Temporal's port is taken by the running test stack (another state folder).
      const [uiPort, minioPort, minioConsolePort] = (await freePorts(3)) as [number, number, number];
      await assert.rejects(
        devUp({ stateDir: other, worker: false, temporalPort: stack.ports.temporal, uiPort, minioPort, minioConsolePort, ...quiet }),
        (error: unknown) =>
          error instanceof DevError &&
          error.message ===
            `port ${stack.ports.temporal} is in use by another process (not started by gauntlet); stop it or pass --temporal-port`,
      );
      // A plain listener on the MinIO port.
      const [temporalPort, uiPort2, busy, consolePort] = (await freePorts(4)) as [number, number, number, number];
      const server: Server = createServer();
      await new Promise<void>((r) => server.listen(busy, '127.0.0.1', r));
      try {
        await assert.rejects(
          devUp({ stateDir: other, worker: false, temporalPort, uiPort: uiPort2, minioPort: busy, minioConsolePort: consolePort, ...quiet }),
          new RegExp(`^DevError: port ${busy} is in use by another process \\(not started by gauntlet\\); stop it or pass --minio-port$`),
        );
      } finally {
        server.close();
      }
      assert.equal(existsSync(statePaths(other).pidFile('temporal')), false);
      assert.equal(existsSync(statePaths(other).pidFile('minio')), false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('starts the worker on demand when it is built', { skip: !existsSync(workerEntry()) && 'dist/worker/main.js not built' }, async () => {
    const up = await devUp({ stateDir: stack.stateDir, worker: true, ...quiet });
    assert.equal(up.actions.worker, 'started');
    assert.equal(up.actions.temporal, 'already running');
    const status = await devStatus({ stateDir: stack.stateDir });
    assert.equal(status.services.find((s) => s.name === 'worker')?.state, 'running');
  });

  it('down stops every process it started and removes the pid files', async () => {
    const paths = statePaths(stack.stateDir);
    const records = (['temporal', 'minio', 'worker'] as const).map((name) => readPidFile(paths.pidFile(name))).filter((r) => r !== undefined);
    assert.ok(records.length >= 2);
    const down = await devDown({ stateDir: stack.stateDir, ...quiet });
    assert.deepEqual(down.stopped.map((s) => s.how).filter((how) => how === 'not-running'), []);
    for (const record of records) assert.equal(processStartTime(record.pid), undefined, `pid ${record.pid} still running`);
    for (const name of ['temporal', 'minio', 'worker']) assert.equal(existsSync(paths.pidFile(name)), false);
    assert.equal(await portInUse(stack.host, stack.ports.temporal), false);
    assert.equal(await portInUse(stack.host, stack.ports.minio), false);
    const status = await devStatus({ stateDir: stack.stateDir });
    for (const s of status.services) assert.ok(s.state === 'stopped' || s.state === 'disabled', `${s.name} is ${s.state}`);
  });
});

describe('ensureBinary', () => {
  it('names the missing Go toolchain and the fix in one line', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'gauntlet-nogo-'));
    try {
      await assert.rejects(
        ensureBinary('minio', { cacheDir, preferPath: false, env: { ...process.env, PATH: '/nonexistent' }, ...quiet }),
        (error: unknown) => error instanceof DevError && /needs the Go toolchain .*go\.dev\/dl/.test(error.message) && !error.message.includes('\n'),
      );
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('returns the cached binary without rebuilding', async () => {
    const first = await ensureBinary('temporal', { preferPath: false, ...quiet });
    const started = Date.now();
    const second = await ensureBinary('temporal', { preferPath: false, ...quiet });
    assert.equal(second, first);
    assert.ok(Date.now() - started < 1000);
  });
});
