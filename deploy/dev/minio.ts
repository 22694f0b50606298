/** MinIO (single node, single drive) holding every artifact, plus the artifact bucket. */
import { mkdirSync } from 'node:fs';
import * as Minio from 'minio';
import { BINARIES, ensureBinary } from './binaries.js';
import { DevError } from './errors.js';
import { httpStatus } from './net.js';
import type { ResolvedDevOptions } from './options.js';
import type { ServiceDef } from './service.js';

export function minioEndpoint(o: ResolvedDevOptions): string {
  return `http://${o.host}:${o.minioPort}`;
}

export function minioClient(o: ResolvedDevOptions): Minio.Client {
  return new Minio.Client({
    endPoint: o.host,
    port: o.minioPort,
    useSSL: false,
    accessKey: o.credentials.accessKey,
    secretKey: o.credentials.secretKey,
  });
}

export const minioService: ServiceDef = {
  name: 'minio',
  ports: (o) => [
    { port: o.minioPort, flag: '--minio-port' },
    { port: o.minioConsolePort, flag: '--minio-console-port' },
  ],
  async prepare(o, paths) {
    const binary = await ensureBinary('minio', { cacheDir: o.cacheDir, log: o.log });
    mkdirSync(paths.minioData, { recursive: true });
    return {
      command: binary,
      args: ['server', paths.minioData, '--address', `${o.host}:${o.minioPort}`, '--console-address', `${o.host}:${o.minioConsolePort}`],
      env: {
        ...process.env,
        MINIO_ROOT_USER: o.credentials.accessKey,
        MINIO_ROOT_PASSWORD: o.credentials.secretKey,
        MINIO_UPDATE: 'off', // no update checks: machines here have no route to dl.min.io
      },
      version: BINARIES.minio.version,
    };
  },
  async healthy(o) {
    return (await httpStatus(`${minioEndpoint(o)}/minio/health/ready`)) === 200;
  },
  async configure(o) {
    const client = minioClient(o);
    try {
      if (!(await client.bucketExists(o.bucket))) {
        await client.makeBucket(o.bucket);
        o.log(`created bucket ${o.bucket}`);
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'BucketAlreadyOwnedByYou') return; // a concurrent `up` made it first
      if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch') {
        throw new DevError(
          `MinIO at ${minioEndpoint(o)} rejected the credentials in ${o.stateDir}/credentials.env (${code}): ` +
            'it was started with other ones; run `gauntlet dev down` and `up` again',
        );
      }
      throw new DevError(`creating bucket ${o.bucket} on ${minioEndpoint(o)} failed: ${(error as Error).message}`);
    }
  },
  urls: (o) => ({ minio: minioEndpoint(o), console: `http://${o.host}:${o.minioConsolePort}` }),
};
