/**
 * Two kinds of failure, never mixed. The trainer's own (its exit codes, OOM, bad input, a timeout) count against a
 * trial or stage. The infrastructure's (a worker that died, Temporal, the store or the Kubernetes API unreachable,
 * a node lost) only delay work: retried with backoff for a bounded window, they never spend a trial's retries or a
 * sweep's failure budget. Pure: the workflow decides with these, the activities name their failures with them.
 */

/** Failure type of an activity that could not reach a service (storage, Kubernetes API, Temporal). */
export const INFRASTRUCTURE_UNAVAILABLE = 'InfrastructureUnavailable';

/** Failure types (and executor reasons) that mean the platform, not the trainer, ended an attempt. */
export const INFRASTRUCTURE_FAILURE_TYPES: ReadonlySet<string> = new Set([
  INFRASTRUCTURE_UNAVAILABLE,
  // The worker stopped (SIGTERM) or the workflow continued as new: the job runs on, the next attempt adopts it.
  'JobDetachedError',
  // Kubernetes took the pod away: not the trainer's doing.
  'Evicted',
  'NodeLost',
  'NodeShutdown',
  'Preempted',
  'Shutdown',
  'Terminated',
  'DisruptionTarget',
  'JobGone',
]);

/** What a sweep says when it ends (in its result, `--json`, `gauntlet status`, the run result and the Temporal UI). */
export const StoppedBecause = {
  /** Every planned trial ran: maxTrials reached, the grid or the space exhausted. */
  Completed: 'completed',
  MaxFailedTrials: 'maxFailedTrials',
  Deadline: 'deadline',
  Cancelled: 'cancelled',
  /** A person stopped it (`gauntlet sweep stop`): it ends with the trials it has. */
  User: 'user',
} as const;
export type StoppedBecause = (typeof StoppedBecause)[keyof typeof StoppedBecause];

export interface BackoffPolicy {
  initialMs: number;
  coefficient: number;
  maximumMs: number;
}

/** Wait before retry number `retry` (1-based): initial × coefficient^(retry-1), capped. */
export function backoffMs(retry: number, policy: BackoffPolicy): number {
  const raw = policy.initialMs * policy.coefficient ** Math.max(0, retry - 1);
  return Math.min(policy.maximumMs, raw);
}

/** Service details an infrastructure failure carries, so the run's final message can name what was unreachable. */
export interface InfrastructureDetails {
  /** `storage`, `kubernetes`, `temporal`, `worker` */
  service: string;
  /** Where it was looked for, e.g. `http://127.0.0.1:9000`. */
  endpoint?: string;
}

export function describeService(details: InfrastructureDetails): string {
  return details.endpoint ? `${details.service} at ${details.endpoint}` : details.service;
}
