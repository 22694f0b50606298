/**
 * The Kubernetes API clients' shared keep-alive connections, against a plain-HTTP stand-in for the API server (the
 * library allows http: with skip-tls-verify): connections are counted by the server, credentials read per request.
 * Calls are a tick apart: undici opens a second connection for a call made in the very tick the previous response
 * ended (its connection is released on the next), which would make the counts depend on timing.
 */
import { BatchV1Api, KubeConfig, type User } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { createServer, type RequestOptions, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { kubeApiClients } from '../../activities/executor/kubernetes/apiClients.js';

/** Stands in for an exec credential plugin: a new token on every request, a client certificate that can rotate. */
class RotatingCredentials {
  tokens = 0;
  cert = 'cert-1';
  isAuthProvider(user: User): boolean {
    return user.name === 'rotating';
  }
  async applyAuthentication(_user: User, opts: RequestOptions & { cert?: string }): Promise<void> {
    opts.headers = { ...opts.headers, Authorization: `Bearer token-${++this.tokens}` };
    opts.cert = this.cert;
  }
}

describe('kubernetes API clients', () => {
  let server: Server;
  let connections = 0;
  const seen: { path: string; authorization: string | undefined }[] = [];
  let kubeConfig: KubeConfig;
  const credentials = new RotatingCredentials();

  before(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      const kind = req.url?.includes('/jobs/') ? 'Job' : 'Namespace';
      res.end(JSON.stringify({ apiVersion: kind === 'Job' ? 'batch/v1' : 'v1', kind, metadata: { name: 'x' } }));
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'local', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'rotating' }],
      contexts: [{ name: 'local', cluster: 'local', user: 'rotating' }],
      currentContext: 'local',
    });
    kubeConfig.addAuthenticator(credentials);
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('GIVEN sequential calls from two sets of clients of one KubeConfig THEN they share one connection, each call authenticated afresh', async () => {
    const { batch } = kubeApiClients(kubeConfig);
    const { core } = kubeApiClients(kubeConfig); // as the watcher makes its own
    for (let i = 0; i < 3; i += 1) await batch.readNamespacedJob({ name: 'x', namespace: 'ns' }).then(() => tick());
    await core.readNamespace({ name: 'x' }).then(() => tick());
    assert.equal(connections, 1);
    assert.deepEqual(
      seen.map((request) => request.authorization),
      ['Bearer token-1', 'Bearer token-2', 'Bearer token-3', 'Bearer token-4'],
    );
  });

  test('GIVEN the client certificate rotates THEN the next call opens a new connection with it', async () => {
    const { batch } = kubeApiClients(kubeConfig);
    const before = connections;
    await batch.readNamespacedJob({ name: 'x', namespace: 'ns' });
    assert.equal(connections, before);
    credentials.cert = 'cert-2';
    await batch.readNamespacedJob({ name: 'x', namespace: 'ns' }).then(() => tick());
    await batch.readNamespacedJob({ name: 'x', namespace: 'ns' });
    assert.equal(connections, before + 1);
  });

  test('GIVEN another KubeConfig for the same cluster THEN it has connections of its own', async () => {
    const other = new KubeConfig();
    other.loadFromString(kubeConfig.exportConfig());
    other.addAuthenticator(credentials);
    const before = connections;
    await kubeApiClients(other).batch.readNamespacedJob({ name: 'x', namespace: 'ns' }).then(() => tick());
    await kubeApiClients(other).batch.readNamespacedJob({ name: 'x', namespace: 'ns' });
    assert.equal(connections, before + 1);
  });

  test('GIVEN client-node\'s own clients THEN every call opens a connection (why these exist)', async () => {
    const batch = kubeConfig.makeApiClient(BatchV1Api);
    const before = connections;
    for (let i = 0; i < 3; i += 1) await batch.readNamespacedJob({ name: 'x', namespace: 'ns' }).then(() => tick());
    assert.equal(connections, before + 3);
  });
});
