/**
 * config/temporal.ts: one schema for the worker and the CLI (address, namespace, mTLS files, server name, API key),
 * errors that name the variable and its value, and connection options that really make Temporal's clients speak TLS:
 * a node:tls server with certificates made by openssl here sees the handshake, the client certificate and the name.
 */
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, createServer } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { CliError } from '../../cli/errors.js';
import { cliContext } from '../../cli/context.js';
import { ConfigError } from '../../config/errors.js';
import { loadTemporalSettings, temporalConnectionOptions } from '../../config/temporal.js';
import { WORKER_ENV, loadWorkerConfig } from '../../worker/config.js';

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-tls-'));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A CA, a server certificate for temporal.test and a client certificate, all EC P-256 (fast to make). */
function makeCertificates(): void {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=gauntlet-test-ca');
  for (const [name, cn, ext] of [
    ['server', 'temporal.test', 'subjectAltName=DNS:temporal.test\nextendedKeyUsage=serverAuth\n'],
    ['client', 'gauntlet-worker', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    writeFileSync(file(`${name}.ext`), ext);
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  }
  writeFileSync(file('not-pem.txt'), 'hello');
}

const tlsEnv = () => ({
  GAUNTLET_TEMPORAL_TLS_CERT: file('client.crt'),
  GAUNTLET_TEMPORAL_TLS_KEY: file('client.key'),
  GAUNTLET_TEMPORAL_TLS_CA: file('ca.crt'),
  GAUNTLET_TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
});

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    if (error instanceof CliError) return error.details;
    throw error;
  }
  assert.fail('expected a configuration error');
}

describe('Temporal settings (config/temporal.ts)', () => {
  before(makeCertificates);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN no settings THEN a plain connection to the dev stack', () => {
    const settings = loadTemporalSettings({});
    assert.deepEqual(temporalConnectionOptions(settings), { address: '127.0.0.1:7233' });
    assert.equal(settings.namespace, 'default');
  });

  it('GIVEN cert, key, CA and server name THEN tls has clientCertPair, serverRootCACertificate and serverNameOverride', () => {
    const options = temporalConnectionOptions(loadTemporalSettings({ GAUNTLET_TEMPORAL_ADDRESS: 'temporal.example:7233', ...tlsEnv() }));
    assert.equal(options.address, 'temporal.example:7233');
    assert.match(options.tls?.clientCertPair?.crt.toString() ?? '', /BEGIN CERTIFICATE/);
    assert.match(options.tls?.clientCertPair?.key.toString() ?? '', /BEGIN PRIVATE KEY/);
    assert.match(Buffer.from(options.tls?.serverRootCACertificate ?? []).toString(), /BEGIN CERTIFICATE/);
    assert.equal(options.tls?.serverNameOverride, 'temporal.test');
    assert.equal(options.apiKey, undefined);
  });

  it('GIVEN an API key only THEN the key and TLS with the system CAs (Temporal Cloud)', () => {
    assert.deepEqual(temporalConnectionOptions(loadTemporalSettings({ GAUNTLET_TEMPORAL_API_KEY: 'abc.def' })), {
      address: '127.0.0.1:7233',
      tls: {},
      apiKey: 'abc.def',
    });
  });

  it('GIVEN a cert without a key, or a key without a cert THEN the error names both variables', () => {
    assert.deepEqual(problemsOf(() => loadTemporalSettings({ GAUNTLET_TEMPORAL_TLS_CERT: file('client.crt') })), [
      `GAUNTLET_TEMPORAL_TLS_CERT: needs GAUNTLET_TEMPORAL_TLS_KEY (the certificate's private key) (got ${JSON.stringify(file('client.crt'))})`,
    ]);
    assert.match(problemsOf(() => loadTemporalSettings({ GAUNTLET_TEMPORAL_TLS_KEY: file('client.key') }))[0] ?? '', /^GAUNTLET_TEMPORAL_TLS_KEY: needs GAUNTLET_TEMPORAL_TLS_CERT/);
  });

  it('GIVEN a missing key file THEN the error names the variable and the path', () => {
    const missing = file('nope.key');
    assert.deepEqual(problemsOf(() => loadTemporalSettings({ ...tlsEnv(), GAUNTLET_TEMPORAL_TLS_KEY: missing })), [
      `GAUNTLET_TEMPORAL_TLS_KEY: is not a readable file (got ${JSON.stringify(missing)})`,
    ]);
  });

  it('GIVEN a CA file that is not PEM THEN the error names the variable and the file', () => {
    const settings = loadTemporalSettings({ ...tlsEnv(), GAUNTLET_TEMPORAL_TLS_CA: file('not-pem.txt') });
    assert.deepEqual(problemsOf(() => temporalConnectionOptions(settings)), [`GAUNTLET_TEMPORAL_TLS_CA: ${JSON.stringify(file('not-pem.txt'))} is not a PEM file (no -----BEGIN line)`]);
  });

  it('GIVEN a bad address THEN the error names GAUNTLET_TEMPORAL_ADDRESS; an API key is never echoed', () => {
    assert.deepEqual(problemsOf(() => loadTemporalSettings({ GAUNTLET_TEMPORAL_ADDRESS: 'no-port' })), ['GAUNTLET_TEMPORAL_ADDRESS: must be host:port (got "no-port")']);
    const problems = problemsOf(() => loadWorkerConfig({ GAUNTLET_TEMPORAL_API_KEY: 'sekrit', GAUNTLET_TEMPORAL_TLS_SERVER_NAME: 'bad name' }));
    assert.deepEqual(problems, ['GAUNTLET_TEMPORAL_TLS_SERVER_NAME: must be a host name (got "bad name")']);
  });

  it('the worker and the CLI read the same variables the Helm chart sets, with the same rules', () => {
    for (const name of ['GAUNTLET_TEMPORAL_TLS_CERT', 'GAUNTLET_TEMPORAL_TLS_KEY', 'GAUNTLET_TEMPORAL_TLS_CA', 'GAUNTLET_TEMPORAL_TLS_SERVER_NAME', 'GAUNTLET_TEMPORAL_API_KEY']) {
      assert.ok(Object.values(WORKER_ENV).includes(name as never), `${name} is a worker setting`);
    }
    const worker = loadWorkerConfig({ ...tlsEnv(), GAUNTLET_NAMESPACE: 'prod' });
    const cli = cliContext({ ...tlsEnv(), GAUNTLET_NAMESPACE: 'prod' });
    assert.equal(cli.namespace, worker.namespace);
    assert.deepEqual(cli.connection, temporalConnectionOptions(worker));
    const bad = { GAUNTLET_TEMPORAL_TLS_CERT: file('client.crt') };
    assert.throws(() => loadWorkerConfig(bad), (error: unknown) => error instanceof ConfigError && /GAUNTLET_TEMPORAL_TLS_CERT: needs/.test(error.message));
    assert.throws(() => cliContext(bad), (error: unknown) => error instanceof CliError && error.exitCode === 2 && /GAUNTLET_TEMPORAL_TLS_CERT: needs/.test(error.details[0] ?? ''));
  });

  describe('a TLS-configured connection attempt speaks TLS', () => {
    let server: ReturnType<typeof createServer>;
    let address = '';
    const handshakes: { clientCn: string; servername: string }[] = [];

    before(async () => {
      server = createServer(
        {
          key: readFileSync(file('server.key')),
          cert: readFileSync(file('server.crt')),
          ca: readFileSync(file('ca.crt')),
          requestCert: true,
          rejectUnauthorized: true, // only a client with a certificate from our CA completes the handshake
          ALPNProtocols: ['h2'],
        },
        (socket: TLSSocket) => {
          const peer = socket.getPeerCertificate();
          handshakes.push({ clientCn: String(peer.subject?.CN ?? ''), servername: typeof socket.servername === 'string' ? socket.servername : '' });
          socket.destroy(); // not a Temporal server: the client's connect then fails, after the handshake
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('GIVEN the mTLS settings WHEN the client (Connection) connects THEN the server sees a verified client certificate and SNI temporal.test', async () => {
      const options = temporalConnectionOptions(loadTemporalSettings({ ...tlsEnv(), GAUNTLET_TEMPORAL_ADDRESS: address }));
      const before = handshakes.length;
      await assert.rejects(Connection.connect({ ...options, connectTimeout: '3s' }));
      assert.ok(handshakes.length > before, 'a TLS handshake completed');
      assert.deepEqual(handshakes[before], { clientCn: 'gauntlet-worker', servername: 'temporal.test' });
    });

    it('GIVEN the mTLS settings WHEN the worker (NativeConnection) connects THEN the same', async () => {
      const options = temporalConnectionOptions(loadTemporalSettings({ ...tlsEnv(), GAUNTLET_TEMPORAL_ADDRESS: address }));
      const before = handshakes.length;
      await assert.rejects(NativeConnection.connect(options));
      assert.ok(handshakes.length > before, 'a TLS handshake completed');
      assert.deepEqual(handshakes[before], { clientCn: 'gauntlet-worker', servername: 'temporal.test' });
    });
  });
});
