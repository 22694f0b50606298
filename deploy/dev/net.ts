/** Port probes and HTTP health checks. */
import { request } from 'node:http';
import { createServer } from 'node:net';
import { sleep } from './process.js';

/** True when something already listens on host:port (we try to bind it ourselves). */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolvePromise(error.code === 'EADDRINUSE' || error.code === 'EACCES'));
    server.once('listening', () => server.close(() => resolvePromise(false)));
    server.listen({ host, port, exclusive: true });
  });
}

/** `count` distinct ports that are free right now (the OS picks them; used by tests and benchmarks). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await new Promise<number>((resolvePromise, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ host, port: 0 }, () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolvePromise(chosen));
      });
    });
    ports.add(port);
  }
  return [...ports];
}

/** HTTP status of a GET, or 0 when nothing answers within `timeoutMs`. */
export function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(0));
    req.end();
  });
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it succeeded. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}
