/**
 * The worker's Prometheus endpoint: GET /metrics answers Gauntlet's own metrics (prom-client) followed by the
 * Temporal SDK's, which Core serves on a loopback port of its own: one scrape target per worker.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  registry: Registry;
  /** URL of the Temporal SDK's Prometheus endpoint, appended to every answer. */
  upstream?: string;
  /** @default 5000 */
  upstreamTimeoutMs?: number;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => void respond(req, res, options));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  return { port: (server.address() as AddressInfo).port, close: () => closeServer(server) };
}

async function respond(req: IncomingMessage, res: ServerResponse, options: MetricsServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://metrics').pathname;
  if (req.method !== 'GET') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  if (path !== '/metrics') return send(res, 404, 'text/plain; charset=utf-8', 'not found: scrape /metrics\n');
  try {
    const own = await options.registry.metrics();
    const temporal = options.upstream ? await upstreamText(options.upstream, options.upstreamTimeoutMs ?? 5000) : '';
    send(res, 200, options.registry.contentType, `${own.trimEnd()}\n${temporal}`);
  } catch (error) {
    send(res, 500, 'text/plain; charset=utf-8', `metrics failed: ${String(error)}\n`);
  }
}

/** The SDK's metrics, or a comment saying why they are missing: Gauntlet's own are still worth a scrape. */
async function upstreamText(url: string, timeoutMs: number): Promise<string> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!answer.ok) return `# temporal sdk metrics unavailable: HTTP ${answer.status}\n`;
    const text = await answer.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch (error) {
    return `# temporal sdk metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`;
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}
