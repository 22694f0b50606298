/**
 * Where the CLI finds the services: flags, then environment, then the embedded stack's defaults. The Temporal
 * settings (address, namespace, mTLS or API key) are the worker's (config/temporal.ts).
 * Connecting fails fast with one line that says how to start the stack.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { parseEnv } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import { TEMPORAL_ENV, type TemporalConnectionOptions, checkTemporalFields, temporalConnectionOptions, temporalFields } from '../config/temporal.js';
import { CliError, ExitCode } from './errors.js';
import { tracedClientOptions } from '../worker/telemetry/client.js';

export const CLI_ENV = {
  ...TEMPORAL_ENV,
  taskQueue: 'GAUNTLET_TASK_QUEUE',
  uiUrl: 'GAUNTLET_UI_URL',
} as const;

export const CliSettings = z
  .strictObject({
    ...temporalFields,
    taskQueue: z.string().min(1).default('gauntlet'),
    uiUrl: z.url().default('http://127.0.0.1:8233'),
  })
  .superRefine(checkTemporalFields);

export interface CliContext {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
  /** TLS and API key for the connection; absent: a plain connection (the embedded stack). */
  connection?: TemporalConnectionOptions;
}

/** Reads the settings; a bad one is a CliError (exit 2) naming the variable and its value. */
export function cliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  try {
    const settings = parseEnv(CliSettings, CLI_ENV, env, 'Temporal settings');
    return {
      address: settings.temporalAddress,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      uiUrl: settings.uiUrl.replace(/\/+$/, ''),
      connection: temporalConnectionOptions(settings),
    };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message.split('\n')[0] ?? error.message, ExitCode.BadInput, error.problems);
    throw error;
  }
}

export function runUiUrl(context: CliContext, workflowId: string): string {
  return `${context.uiUrl}/namespaces/${encodeURIComponent(context.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export async function withClient<T>(context: CliContext, use: (client: Client) => Promise<T>): Promise<T> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...context.connection, address: context.address, connectTimeout: '3s' });
  } catch (error) {
    const secured = context.connection?.tls !== undefined;
    const why = secured && error instanceof Error ? ` (${error.message.split('\n')[0]})` : '';
    throw new CliError(
      secured
        ? `cannot reach Temporal at ${context.address} over TLS${why}: check GAUNTLET_TEMPORAL_ADDRESS and the GAUNTLET_TEMPORAL_TLS_* / GAUNTLET_TEMPORAL_API_KEY settings`
        : `cannot reach Temporal at ${context.address}: start the embedded stack with \`gauntlet dev up\` (or set GAUNTLET_TEMPORAL_ADDRESS)`,
      ExitCode.Unavailable,
    );
  }
  try {
    return await use(new Client({ connection, namespace: context.namespace, ...(await tracedClientOptions()) }));
  } finally {
    await connection.close();
  }
}
