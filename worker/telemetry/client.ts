/** The tracing client interceptor for a Temporal Client (the CLI's): nothing, and nothing loaded, when tracing is off. */
import type { ClientInterceptors } from '@temporalio/client';
import { tracingConfig } from './config.js';

export async function tracedClientOptions(env: NodeJS.ProcessEnv = process.env): Promise<{ interceptors?: ClientInterceptors }> {
  const tracing = tracingConfig('gauntlet-cli', env);
  if (!tracing) return {};
  const { installTracing } = await import('./tracing.js');
  return { interceptors: installTracing(tracing.serviceName).clientInterceptors() };
}
