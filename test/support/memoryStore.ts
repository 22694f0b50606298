/**
 * An ArtifactStore over objects held in memory: the real adapter (URIs, JSON, not-found handling) on a fake MinIO
 * client that implements only what the adapter calls for reads and writes, so a collector runs with no stack.
 */
import { Readable } from 'node:stream';
import type { Client as MinioClient } from 'minio';
import { ArtifactStore } from '../../activities/store.js';

const notFound = (key: string): Error => Object.assign(new Error(`no object ${key}`), { code: 'NoSuchKey' });

export function memoryStore(bucket = 'gauntlet'): { store: ArtifactStore; objects: Map<string, Buffer> } {
  const objects = new Map<string, Buffer>();
  const object = (name: string, key: string): Buffer => {
    const body = name === bucket ? objects.get(key) : undefined;
    if (!body) throw notFound(key);
    return body;
  };
  const client = {
    async getObject(name: string, key: string): Promise<Readable> {
      return Readable.from([object(name, key)]);
    },
    async statObject(name: string, key: string): Promise<{ size: number; etag: string }> {
      return { size: object(name, key).length, etag: String(object(name, key).length) };
    },
    async putObject(name: string, key: string, body: Buffer): Promise<{ etag: string }> {
      if (name !== bucket) throw notFound(key);
      objects.set(key, Buffer.from(body));
      return { etag: String(body.length) };
    },
  };
  // The adapter only ever calls the three methods above in the tests that use this store.
  return { store: new ArtifactStore(client as unknown as MinioClient, bucket, 'memory'), objects };
}
