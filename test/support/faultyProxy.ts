/**
 * A TCP proxy in front of a real service that can make it unreachable on cue: when a request line matches `trigger`,
 * that connection is cut and every connection is refused (reset at once) for `outageMs`. It lets a test put an
 * outage exactly where it wants one (say, the moment the record stage writes the manifest) on any machine, instead of
 * killing the service at a time it hopes is right. Loopback only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface FaultyProxy {
  url: string;
  /** Request lines that started an outage. */
  triggered: string[];
  /** Connections refused during outages. */
  refused: number;
  close(): Promise<void>;
}

export async function startFaultyProxy(upstream: { host: string; port: number }, trigger: RegExp, outageMs: number): Promise<FaultyProxy> {
  let downUntil = 0;
  const sockets = new Set<Socket>();
  const proxy: FaultyProxy = { url: '', triggered: [], refused: 0, close: async () => undefined };
  const server: Server = createServer((client) => {
    if (Date.now() < downUntil) {
      proxy.refused += 1;
      client.resetAndDestroy();
      return;
    }
    const server = connect(upstream.port, upstream.host);
    sockets.add(client).add(server);
    const cut = () => {
      client.destroy();
      server.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const line = /^[A-Z]+ \S+/m.exec(chunk.toString('latin1'))?.[0];
      if (line && trigger.test(line) && proxy.triggered.length === 0) {
        proxy.triggered.push(line);
        downUntil = Date.now() + outageMs;
        client.resetAndDestroy();
        server.destroy();
        return;
      }
      server.write(chunk);
    });
    server.on('data', (chunk) => client.write(chunk));
    client.on('close', () => server.end());
    server.on('close', () => client.end());
    client.on('error', cut);
    server.on('error', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  proxy.url = `http://127.0.0.1:${address.port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
