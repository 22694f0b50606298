/**
 * Names the infrastructure failures an activity meets (storage, the Kubernetes API, Temporal, the network), so that
 * the workflow retries them within its window instead of counting them against the trainer (core/failures.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { INFRASTRUCTURE_UNAVAILABLE, describeService, type InfrastructureDetails } from '../core/failures.js';

/** A service could not be reached; `details` says which. */
export class InfrastructureError extends Error {
  constructor(
    readonly details: InfrastructureDetails,
    cause: unknown,
  ) {
    super(`${describeService(details)} unreachable: ${messageOf(cause)}`, { cause });
    this.name = 'InfrastructureError';
  }
}

/** Socket-level errors: the other side is down, restarting or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);
/** S3 error codes that mean "not now" (MinIO answers XMinioServerNotInitialized while it starts). */
const S3_UNAVAILABLE_CODES = new Set(['ServiceUnavailable', 'SlowDown', 'InternalError', 'XMinioServerNotInitialized', 'RequestTimeout']);

/** True when `error` (or any error in its cause chain) says a service is down rather than that our request was wrong. */
export function isUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof InfrastructureError) return true;
    const { code, errno, statusCode, type } = current as { code?: unknown; errno?: unknown; statusCode?: unknown; type?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || S3_UNAVAILABLE_CODES.has(code))) return true;
    if (typeof errno === 'string' && NETWORK_CODES.has(errno)) return true;
    // node-fetch (the Kubernetes client) wraps socket errors as FetchError type 'system'.
    if (type === 'system' && typeof code === 'string') return true;
    // HTTP: the Kubernetes client's ApiException carries `code`, S3 errors `statusCode`.
    const http = typeof code === 'number' ? code : typeof statusCode === 'number' ? statusCode : null;
    if (http !== null && (http >= 500 || http === 429)) return true;
    const message = current instanceof Error ? current.message : '';
    if (/\b(ECONNREFUSED|ECONNRESET|socket hang up|EPIPE|ETIMEDOUT)\b/.test(message)) return true;
  }
  return false;
}

/** Runs `operation`; a failure that says the service is down becomes an InfrastructureError naming it. */
export async function guardService<T>(details: InfrastructureDetails, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!(error instanceof InfrastructureError) && isUnavailable(error)) throw new InfrastructureError(details, error);
    throw error;
  }
}

/** The failure an activity throws for an outage: the workflow retries it within `trainer.infraRetryWindow`. */
export function infrastructureFailure(error: unknown): ApplicationFailure | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof InfrastructureError) return ApplicationFailure.create({ message: current.message, type: INFRASTRUCTURE_UNAVAILABLE, details: [current.details], cause: error instanceof Error ? error : undefined });
  }
  if (!isUnavailable(error)) return null;
  return ApplicationFailure.create({ message: `network error: ${messageOf(error)}`, type: INFRASTRUCTURE_UNAVAILABLE, details: [{ service: 'network' }] });
}

/** Wraps an activity so that its outages reach the workflow as `InfrastructureUnavailable`, its other errors unchanged. */
export function reportingOutages<Args extends unknown[], Result>(activity: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
  const wrapped = async (...args: Args): Promise<Result> => {
    try {
      return await activity(...args);
    } catch (error) {
      if (error instanceof ApplicationFailure) throw error;
      throw infrastructureFailure(error) ?? error;
    }
  };
  // Temporal registers activities by name: keep the original's.
  Object.defineProperty(wrapped, 'name', { value: activity.name });
  return wrapped;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}
