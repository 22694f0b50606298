/**
 * The artifact store: every artifact lives in one S3 bucket (MinIO in dev) and travels between stages as an
 * `s3://bucket/key` URI. A thin adapter over the injected MinIO client that speaks bytes, JSON and URIs.
 */
import type { Client as MinioClient } from 'minio';
import { z } from 'zod';
import { guardService } from './infrastructure.js';

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match || !match[1]) throw new Error(`not an s3://bucket/key URI: ${JSON.stringify(uri)}`);
  return { bucket: match[1], key: match[2] ?? '' };
}

export class ArtifactStore {
  constructor(
    private readonly client: MinioClient,
    readonly bucket: string,
    /** Named in errors when storage cannot be reached. @default 'the S3 endpoint' */
    readonly endpoint = 'the S3 endpoint',
  ) {}

  /** A storage call; an outage becomes an InfrastructureError naming the endpoint (the workflow waits it out). */
  private guard<T>(operation: () => Promise<T>): Promise<T> {
    return guardService({ service: 'storage', endpoint: this.endpoint }, operation);
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async putBytes(key: string, data: Buffer | string, contentType = 'application/octet-stream'): Promise<string> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    await this.guard(() => this.client.putObject(this.bucket, key, body, body.length, { 'Content-Type': contentType }));
    return this.uri(key);
  }

  putJson(key: string, value: unknown): Promise<string> {
    return this.putBytes(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
  }

  async getBytes(uri: string): Promise<Buffer> {
    const { bucket, key } = parseS3Uri(uri);
    return this.guard(async () => {
      const stream = await this.client.getObject(bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
  }

  async getJson<T>(uri: string, schema: z.ZodType<T>): Promise<T> {
    const text = (await this.getBytes(uri)).toString('utf8');
    return schema.parse(JSON.parse(text));
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, key } = parseS3Uri(uri);
    return this.guard(async () => {
      try {
        await this.client.statObject(bucket, key);
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    });
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'NotFound' || code === 'NoSuchKey';
}
