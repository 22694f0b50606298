/**
 * The artifact store: every artifact lives in one S3 bucket (MinIO in dev) and travels between stages as an
 * `s3://bucket/key` URI. A thin adapter over the injected MinIO client that speaks bytes, JSON and URIs.
 */
import type { Client as MinioClient } from 'minio';
import type { z } from 'zod';
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

  /**
   * Writes `value` only if the precondition holds (S3 conditional writes, which MinIO honours): `ifNoneMatch: '*'`
   * when nothing is there yet, `ifMatch: etag` when the object is unchanged since it was read. False when it did not
   * hold (someone else wrote first); nothing is written then.
   */
  async putJsonIf(key: string, value: unknown, condition: { ifNoneMatch: '*' } | { ifMatch: string }): Promise<boolean> {
    const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    const header = 'ifMatch' in condition ? { 'If-Match': condition.ifMatch } : { 'If-None-Match': '*' };
    try {
      await this.guard(() => this.client.putObject(this.bucket, key, body, body.length, { 'Content-Type': 'application/json', ...header }));
      return true;
    } catch (error) {
      // If-Match on an object deleted since it was read answers NoSuchKey: that precondition did not hold either.
      if (isPreconditionFailed(error) || ('ifMatch' in condition && isNotFound(error))) return false;
      throw error;
    }
  }

  /** The object parsed with `schema` and its ETag (for putJsonIf's ifMatch), or null when there is none. */
  async getJsonVersioned<T>(key: string, schema: z.ZodType<T>): Promise<{ value: T; etag: string } | null> {
    // Stat first: if the object changes in between, the ETag is the older one and a conditional write fails safely.
    const etag = await this.guard(async () => {
      try {
        return (await this.client.statObject(this.bucket, key)).etag;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    });
    if (etag === null) return null;
    try {
      return { value: await this.getJson(this.uri(key), schema), etag };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Every key under `prefix` (at any depth), in key order. */
  async listKeys(prefix: string): Promise<string[]> {
    return (await this.list(prefix, true)).filter((name) => !name.endsWith('/')).sort();
  }

  /** The folders one level under `prefix` (`models/` → `models/digits/`, …), in key order. */
  async listFolders(prefix: string): Promise<string[]> {
    return (await this.list(prefix, false)).filter((name) => name.endsWith('/')).sort();
  }

  /** The objects directly under an `s3://bucket/prefix/` URI (any bucket the credentials can read), in key order, as URIs. */
  async listUris(prefixUri: string): Promise<string[]> {
    const { bucket, key } = parseS3Uri(prefixUri);
    const names = await this.list(key, false, bucket);
    return names.filter((name) => !name.endsWith('/')).sort().map((name) => `s3://${bucket}/${name}`);
  }

  private list(prefix: string, recursive: boolean, bucket = this.bucket): Promise<string[]> {
    return this.guard(async () => {
      const names: string[] = [];
      for await (const item of this.client.listObjectsV2(bucket, prefix, recursive) as AsyncIterable<{ name?: string; prefix?: string }>) {
        const name = item.name ?? item.prefix;
        if (name) names.push(name);
      }
      return names;
    });
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

function isPreconditionFailed(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'PreconditionFailed';
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'NotFound' || code === 'NoSuchKey';
}
