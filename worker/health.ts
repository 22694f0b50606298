/**
 * The worker's health endpoint for Kubernetes probes: `/healthz` answers 200 while the process serves HTTP at all
 * (liveness: a worker still waiting for Temporal is alive, not broken), `/readyz` answers 200 only while the Temporal
 * worker is RUNNING (readiness: during start-up and shutdown it says 503 and its state).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServerOptions {
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** @default '0.0.0.0' (the kubelet probes the pod IP) */
  host?: string;
  /** The Temporal worker's state (`Worker.getState()`), or a placeholder before the worker exists. */
  state: () => string;
}

export interface HealthServer {
  /** The port actually bound. */
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => respond(req, res, options.state));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  return { port: (server.address() as AddressInfo).port, close: () => closeServer(server) };
}

function respond(req: IncomingMessage, res: ServerResponse, state: () => string): void {
  const path = new URL(req.url ?? '/', 'http://health').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
  if (path === '/healthz') return send(res, 200, 'ok');
  if (path === '/readyz') {
    const current = state();
    return send(res, current === 'RUNNING' ? 200 : 503, current);
  }
  send(res, 404, 'not found');
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${body}\n`);
}

/** Stops listening and drops idle keep-alive sockets, so shutdown does not wait for a probe's connection. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeIdleConnections();
  });
}
