/**
 * Where the CLI finds the services: flags, then environment, then the embedded stack's defaults.
 * Connecting fails fast with one line that says how to start the stack.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { CliError, ExitCode } from './errors.js';

export const CliEnv = z.object({
  GAUNTLET_TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  GAUNTLET_NAMESPACE: z.string().default('default'),
  GAUNTLET_TASK_QUEUE: z.string().default('gauntlet'),
  GAUNTLET_UI_URL: z.string().default('http://127.0.0.1:8233'),
});

export interface CliContext {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
}

export function cliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const parsed = CliEnv.parse(env);
  return {
    address: parsed.GAUNTLET_TEMPORAL_ADDRESS,
    namespace: parsed.GAUNTLET_NAMESPACE,
    taskQueue: parsed.GAUNTLET_TASK_QUEUE,
    uiUrl: parsed.GAUNTLET_UI_URL.replace(/\/+$/, ''),
  };
}

export function runUiUrl(context: CliContext, workflowId: string): string {
  return `${context.uiUrl}/namespaces/${encodeURIComponent(context.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export async function withClient<T>(context: CliContext, use: (client: Client) => Promise<T>): Promise<T> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: context.address, connectTimeout: '3s' });
  } catch {
    throw new CliError(
      `cannot reach Temporal at ${context.address}: start the embedded stack with \`gauntlet dev up\` (or set GAUNTLET_TEMPORAL_ADDRESS)`,
      ExitCode.Unavailable,
    );
  }
  try {
    return await use(new Client({ connection, namespace: context.namespace }));
  } finally {
    await connection.close();
  }
}
