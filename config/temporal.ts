/**
 * How the worker and the CLI reach Temporal: address and namespace, and for a production cluster mTLS (client
 * certificate and key files, a CA file, a server name) or an API key (Temporal Cloud). One schema, read from the same
 * GAUNTLET_* variables by both; charts/gauntlet sets them.
 */
import type { TLSConfig } from '@temporalio/client';
import { accessSync, constants, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseEnv } from './env.js';

export const TEMPORAL_ENV = {
  temporalAddress: 'GAUNTLET_TEMPORAL_ADDRESS',
  namespace: 'GAUNTLET_NAMESPACE',
  tlsCert: 'GAUNTLET_TEMPORAL_TLS_CERT',
  tlsKey: 'GAUNTLET_TEMPORAL_TLS_KEY',
  tlsCa: 'GAUNTLET_TEMPORAL_TLS_CA',
  tlsServerName: 'GAUNTLET_TEMPORAL_TLS_SERVER_NAME',
  apiKey: 'GAUNTLET_TEMPORAL_API_KEY',
} as const;

/** A file the process can read now: a missing mounted Secret is reported at start-up, not at the first TLS handshake. */
const ReadableFile = z.string().refine(
  (path) => {
    try {
      accessSync(path, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a readable file' },
);

export const temporalFields = {
  temporalAddress: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  namespace: z.string().min(1).default('default'),
  /** PEM client certificate (mTLS); needs tlsKey. */
  tlsCert: ReadableFile.optional(),
  /** PEM private key of tlsCert. */
  tlsKey: ReadableFile.optional(),
  /** PEM CA that signed the server's certificate; unset: the system's trusted CAs. */
  tlsCa: ReadableFile.optional(),
  /** Name to verify the server's certificate against when it differs from the address's host. */
  tlsServerName: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name').optional(),
  /** Temporal Cloud API key (sent as `Authorization: Bearer …`; implies TLS). */
  apiKey: z.string().min(1).optional(),
};

type TemporalFields = z.infer<z.ZodObject<typeof temporalFields>>;

/** Cross-field rules, for any schema that spreads temporalFields. */
export function checkTemporalFields(settings: TemporalFields, ctx: z.RefinementCtx): void {
  if (settings.tlsCert !== undefined && settings.tlsKey === undefined) {
    ctx.addIssue({ code: 'custom', path: ['tlsCert'], message: `needs ${TEMPORAL_ENV.tlsKey} (the certificate's private key)`, input: settings.tlsCert });
  }
  if (settings.tlsKey !== undefined && settings.tlsCert === undefined) {
    ctx.addIssue({ code: 'custom', path: ['tlsKey'], message: `needs ${TEMPORAL_ENV.tlsCert} (the client certificate)`, input: settings.tlsKey });
  }
}

export const TemporalSettings = z.strictObject(temporalFields).superRefine(checkTemporalFields);
export type TemporalSettings = z.infer<typeof TemporalSettings>;

export function loadTemporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return parseEnv(TemporalSettings, TEMPORAL_ENV, env, 'Temporal configuration');
}

/** What both `Connection.connect` (client) and `NativeConnection.connect` (worker) accept. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/** Reads the PEM files named by the settings; no TLS setting and no API key: a plain connection (the dev stack). */
export function temporalConnectionOptions(settings: Omit<TemporalSettings, 'namespace'>): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: settings.temporalAddress };
  const tlsWanted = settings.tlsCert ?? settings.tlsKey ?? settings.tlsCa ?? settings.tlsServerName;
  if (tlsWanted !== undefined || settings.apiKey !== undefined) {
    const tls: TLSConfig = {};
    if (settings.tlsCert !== undefined && settings.tlsKey !== undefined) {
      tls.clientCertPair = { crt: readPem('tlsCert', settings.tlsCert), key: readPem('tlsKey', settings.tlsKey) };
    }
    if (settings.tlsCa !== undefined) tls.serverRootCACertificate = readPem('tlsCa', settings.tlsCa);
    if (settings.tlsServerName !== undefined) tls.serverNameOverride = settings.tlsServerName;
    options.tls = tls;
  }
  if (settings.apiKey !== undefined) options.apiKey = settings.apiKey;
  return options;
}

function readPem(key: 'tlsCert' | 'tlsKey' | 'tlsCa', path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new ConfigError([`${TEMPORAL_ENV[key]}: cannot read ${JSON.stringify(path)} (${error instanceof Error ? error.message : String(error)})`], 'Temporal configuration');
  }
  if (!bytes.toString('latin1').includes('-----BEGIN ')) {
    throw new ConfigError([`${TEMPORAL_ENV[key]}: ${JSON.stringify(path)} is not a PEM file (no -----BEGIN line)`], 'Temporal configuration');
  }
  return bytes;
}
