/**
 * An in-process OTLP/HTTP collector for tests: POST /v1/traces with JSON bodies (what
 * @opentelemetry/exporter-trace-otlp-http sends) is flattened into spans; protobuf bodies (Python's exporter) are
 * kept raw, to look for a trace id's bytes and a span name in them without a protobuf decoder.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const AnyValue = z.object({ stringValue: z.string().optional(), intValue: z.union([z.string(), z.number()]).optional() }).loose();
const Attributes = z.array(z.object({ key: z.string(), value: AnyValue })).default([]);
const ExportRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: Attributes }).loose().default({ attributes: [] }),
      scopeSpans: z.array(
        z.object({
          spans: z.array(
            z.object({ traceId: z.string(), spanId: z.string(), parentSpanId: z.string().optional(), name: z.string(), attributes: Attributes }).loose(),
          ).default([]),
        }).loose(),
      ).default([]),
    }).loose(),
  ).default([]),
});

export interface CollectedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  attributes: Record<string, string>;
}

export interface OtlpCollector {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporters append /v1/traces). */
  url: string;
  spans(): CollectedSpan[];
  protobufBodies(): Buffer[];
  close(): Promise<void>;
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const protobuf: Buffer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if ((req.headers['content-type'] ?? '').includes('json')) {
        spans.push(...flatten(ExportRequest.parse(JSON.parse(body.toString('utf8')))));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        protobuf.push(body);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    protobufBodies: () => [...protobuf],
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function flatten(request: z.infer<typeof ExportRequest>): CollectedSpan[] {
  const text = (attributes: z.infer<typeof Attributes>) =>
    Object.fromEntries(attributes.map(({ key, value }) => [key, String(value.stringValue ?? value.intValue ?? '')]));
  return request.resourceSpans.flatMap((resourceSpans) => {
    const service = text(resourceSpans.resource.attributes)['service.name'] ?? '';
    return resourceSpans.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => ({
        service,
        name: span.name,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        attributes: text(span.attributes),
      })),
    );
  });
}
