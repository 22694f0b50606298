/**
 * Retries decided by the workflow, where both kinds of failure can be told apart and counted deterministically.
 *
 * - Infrastructure (a worker that died mid-activity, storage / Kubernetes API unreachable, a node lost, a worker
 *   shutdown): retried with backoff until the service has been away for `infraWindowMs`; never counted against the
 *   trainer's attempts. The job's stable id makes the retry adopt the running process or Job, or keep its result.
 * - The trainer's own (non-zero exit, OOM, a timeout): counted; past `trainer.maximumAttempts` the stage fails.
 * - Everything else (bad input, a gate, a fail-fast reason, a cancellation) goes straight to the caller.
 *
 * Job activities run with Temporal's `maximumAttempts: 1` so that Temporal never spends an attempt on an outage;
 * quick activities keep Temporal's retries for their own errors and come here only for infrastructure ones.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation, sleep } from '@temporalio/workflow';
import {
  backoffMs,
  describeService,
  INFRASTRUCTURE_FAILURE_TYPES,
  INFRASTRUCTURE_UNAVAILABLE,
  type BackoffPolicy,
  type InfrastructureDetails,
} from '../core/failures.js';

export type FailureClass =
  | { kind: 'infrastructure'; details: InfrastructureDetails; message: string }
  | { kind: 'trainer'; message: string }
  | { kind: 'final' };

export interface RetryRules {
  /** `job`: a START_TO_CLOSE timeout is the trainer running past `trainer.timeout`; `quick`: a worker that died. */
  kind: 'job' | 'quick';
  /** How long a service may stay unreachable before the stage fails (`trainer.infraRetryWindow`). */
  infraWindowMs: number;
  /** An attempt that ran longer than this before failing had the service back: the outage clock starts again. */
  progressMs: number;
  /** The trainer's own retries (job activities only). */
  trainer?: BackoffPolicy & { maximumAttempts: number };
  /** Told about each retry, for the run's visible progress. */
  onRetry?: (note: string) => void;
}

/** Backoff between infrastructure retries: quick at first, then every 15 s until the window closes. */
const INFRA_BACKOFF: BackoffPolicy = { initialMs: 1000, coefficient: 2, maximumMs: 15_000 };

export function classifyActivityFailure(error: unknown, kind: RetryRules['kind']): FailureClass {
  if (isCancellation(error) || !(error instanceof ActivityFailure)) return { kind: 'final' };
  const cause = error.cause;
  if (cause instanceof TimeoutFailure) {
    if (cause.timeoutType === 'HEARTBEAT' || cause.timeoutType === 'SCHEDULE_TO_START' || (kind === 'quick' && cause.timeoutType === 'START_TO_CLOSE')) {
      return { kind: 'infrastructure', details: { service: 'worker' }, message: `activity ${cause.timeoutType.toLowerCase().replaceAll('_', '-')} timeout: the worker running it stopped answering` };
    }
    if (kind === 'job' && cause.timeoutType === 'START_TO_CLOSE') return { kind: 'trainer', message: 'the job ran past trainer.timeout' };
    return { kind: 'final' };
  }
  if (cause instanceof ApplicationFailure) {
    const type = cause.type ?? '';
    if (INFRASTRUCTURE_FAILURE_TYPES.has(type)) return { kind: 'infrastructure', details: detailsOf(cause, type), message: cause.message };
    if (cause.nonRetryable || kind === 'quick') return { kind: 'final' };
    return { kind: 'trainer', message: cause.message };
  }
  return { kind: 'final' };
}

function detailsOf(failure: ApplicationFailure, type: string): InfrastructureDetails {
  const first = failure.details?.[0] as Partial<InfrastructureDetails> | undefined;
  if (first && typeof first.service === 'string') return { service: first.service, ...(typeof first.endpoint === 'string' ? { endpoint: first.endpoint } : {}) };
  return { service: type === 'JobDetachedError' ? 'worker' : type === INFRASTRUCTURE_UNAVAILABLE ? 'a service' : 'kubernetes node' };
}

/** Runs `call` until it succeeds or fails in a way retrying cannot fix. */
export async function withRetries<T>(call: () => Promise<T>, rules: RetryRules): Promise<T> {
  let outageSince: number | null = null;
  let infraRetries = 0;
  let trainerFailures = 0;
  for (;;) {
    const calledAt = new Date().getTime();
    try {
      return await call();
    } catch (error) {
      const failure = classifyActivityFailure(error, rules.kind);
      const failedAt = new Date().getTime();
      if (failure.kind === 'infrastructure') {
        if (outageSince === null || failedAt - calledAt > rules.progressMs) {
          outageSince = calledAt;
          infraRetries = 0;
        }
        infraRetries += 1;
        const service = describeService(failure.details);
        if (failedAt - outageSince >= rules.infraWindowMs) {
          throw ApplicationFailure.nonRetryable(
            `${service} could not be reached for ${Math.round((failedAt - outageSince) / 1000)} s (trainer.infraRetryWindow ${Math.round(rules.infraWindowMs / 1000)} s): ${failure.message}`,
            INFRASTRUCTURE_UNAVAILABLE,
            failure.details,
          );
        }
        const wait = backoffMs(infraRetries, INFRA_BACKOFF);
        rules.onRetry?.(`${service} unavailable (${failure.message}); retry ${infraRetries} in ${wait / 1000} s, not counted against the trainer`);
        await sleep(wait);
        continue;
      }
      if (failure.kind === 'trainer' && rules.trainer) {
        trainerFailures += 1;
        outageSince = null;
        if (trainerFailures >= rules.trainer.maximumAttempts) throw error;
        const wait = backoffMs(trainerFailures, rules.trainer);
        rules.onRetry?.(`trainer failed (${trainerFailures} of ${rules.trainer.maximumAttempts} attempts): ${failure.message}; resuming in ${wait / 1000} s`);
        await sleep(wait);
        continue;
      }
      throw error;
    }
  }
}

interface ActivityCall {
  (...args: unknown[]): Promise<unknown>;
  executeWithOptions(options: unknown, args: unknown[]): Promise<unknown>;
}

/** The same activities, each call (plain or `executeWithOptions`) wrapped in `withRetries`. */
export function retrying<A extends object>(activities: A, rules: RetryRules): A {
  return new Proxy(activities, {
    get(target, name, receiver) {
      const original = Reflect.get(target, name, receiver) as ActivityCall | undefined;
      if (typeof original !== 'function') return original;
      const wrapped = (...args: unknown[]) => withRetries(() => original(...args), rules);
      wrapped.executeWithOptions = (options: unknown, args: unknown[]) => withRetries(() => original.executeWithOptions(options, args), rules);
      return wrapped;
    },
  });
}
