/**
 * worker/health.ts over real HTTP on a loopback port, GAUNTLET_HEALTH_PORT in the worker config, and the wiring in
 * worker/main.ts: the real worker process answers /healthz while it still waits for an unreachable Temporal.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePorts } from '../../deploy/dev/net.js';
import { sleep } from '../../deploy/dev/process.js';
import { ConfigError, loadWorkerConfig } from '../../worker/config.js';
import { type HealthServer, startHealthServer } from '../../worker/health.js';
import { repoRoot } from '../support/paths.js';

interface Answer {
  status: number;
  body: string;
}

function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe('worker health endpoint', () => {
  let state = 'INITIALIZED';
  let server: HealthServer;
  after(async () => server?.close());

  it('answers /healthz 200 at once and /readyz 503 with the state until the worker is RUNNING', async () => {
    server = await startHealthServer({ port: 0, host: '127.0.0.1', state: () => state });
    assert.ok(server.port > 0);
    assert.deepEqual(await get(server.port, '/healthz'), { status: 200, body: 'ok\n' });
    assert.deepEqual(await get(server.port, '/readyz'), { status: 503, body: 'INITIALIZED\n' });
    state = 'RUNNING';
    assert.deepEqual(await get(server.port, '/readyz?verbose'), { status: 200, body: 'RUNNING\n' });
    state = 'STOPPING'; // shutdown: out of the Service's endpoints, still alive
    assert.equal((await get(server.port, '/readyz')).status, 503);
    assert.equal((await get(server.port, '/healthz')).status, 200);
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    assert.equal((await get(server.port, '/')).status, 404);
    assert.equal((await get(server.port, '/healthz', 'POST')).status, 405);
    assert.equal((await get(server.port, '/healthz', 'HEAD')).status, 200);
  });

  it('closes: nothing answers afterwards', async () => {
    await server.close();
    await assert.rejects(get(server.port, '/healthz'), /ECONNREFUSED/);
  });

  it('rejects a port that is already taken', async () => {
    const first = await startHealthServer({ port: 0, host: '127.0.0.1', state: () => 'RUNNING' });
    try {
      await assert.rejects(startHealthServer({ port: first.port, host: '127.0.0.1', state: () => 'RUNNING' }), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});

describe('GAUNTLET_HEALTH_PORT', () => {
  it('is off when unset or empty, a port number when set', () => {
    assert.equal(loadWorkerConfig({}).healthPort, undefined);
    assert.equal(loadWorkerConfig({ GAUNTLET_HEALTH_PORT: '' }).healthPort, undefined);
    assert.equal(loadWorkerConfig({ GAUNTLET_HEALTH_PORT: '8080' }).healthPort, 8080);
  });

  for (const bad of ['http', '0', '70000', '80.5']) {
    it(`rejects ${JSON.stringify(bad)} naming the variable and the value`, () => {
      assert.throws(
        () => loadWorkerConfig({ GAUNTLET_HEALTH_PORT: bad }),
        (error: unknown) => error instanceof ConfigError && error.message.includes('GAUNTLET_HEALTH_PORT') && error.message.includes(JSON.stringify(bad)),
      );
    });
  }

  it('is served by the real worker process while it still waits for Temporal (alive, not ready)', async () => {
    // Temporal's address is a port nothing listens on: the worker keeps retrying the connection.
    const [healthPort, deadTemporal] = await freePorts(2);
    const child = spawn(process.execPath, [resolve(repoRoot, 'dist', 'worker', 'main.js')], {
      cwd: repoRoot,
      env: { ...process.env, GAUNTLET_HEALTH_PORT: String(healthPort), GAUNTLET_TEMPORAL_ADDRESS: `127.0.0.1:${deadTemporal}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      // The first connection-retry line comes after the listen: wait for it, not for a fixed delay (the cap only
      // keeps a broken worker from hanging the suite).
      const cap = Date.now() + 120_000;
      while (!stderr.includes('unreachable')) {
        assert.equal(child.exitCode, null, `worker exited: ${stderr}`);
        assert.ok(Date.now() < cap, `no connection-retry line from the worker: ${stderr}`);
        await sleep(50);
      }
      assert.deepEqual(await get(healthPort!, '/healthz'), { status: 200, body: 'ok\n' });
      assert.deepEqual(await get(healthPort!, '/readyz'), { status: 503, body: 'CONNECTING\n' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
