/**
 * Reads a Job and its pods the way an on-call engineer would, and says what happened: still running, waiting for
 * GPUs, done, or failed — and whether a retry (resuming from the last checkpoint) can help. Pure.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { JobExitCode } from '../../../core/spec/job.js';
import { CONTAINER } from './manifest.js';

export type JobState =
  | { kind: 'running'; detail: string }
  | { kind: 'waiting'; detail: string; gpus: number }
  | { kind: 'succeeded' }
  | { kind: 'failed'; retryable: boolean; reason: string; message: string; exitCode: number | null; pod: string | null };

const IMAGE_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_ERRORS = new Set(['CreateContainerConfigError', 'CreateContainerError']);

function condition(job: V1Job, type: string) {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

function trainerStatus(pod: V1Pod) {
  return pod.status?.containerStatuses?.find((status) => status.name === CONTAINER) ?? pod.status?.containerStatuses?.[0];
}

function gpusOf(pod: V1Pod): number {
  const limit = pod.spec?.containers?.[0]?.resources?.limits?.['nvidia.com/gpu'];
  return limit === undefined ? 0 : Number(limit);
}

/** Newest pod first: the one whose fate decides. */
function newest(pods: V1Pod[]): V1Pod[] {
  return [...pods].sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')));
}

export function classifyPodFailure(pod: V1Pod): Extract<JobState, { kind: 'failed' }> {
  const name = pod.metadata?.name ?? null;
  const terminated = trainerStatus(pod)?.state?.terminated;
  const exitCode = terminated?.exitCode ?? null;
  const disruption = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  if (pod.status?.reason === 'Evicted' || disruption) {
    const reason = disruption?.reason ?? pod.status?.reason ?? 'Evicted';
    return { kind: 'failed', retryable: true, reason, message: pod.status?.message ?? disruption?.message ?? 'the pod was evicted', exitCode, pod: name };
  }
  if (terminated?.reason === 'OOMKilled') {
    return { kind: 'failed', retryable: true, reason: 'OOMKilled', message: 'the trainer ran out of memory (OOM killed)', exitCode, pod: name };
  }
  if (exitCode === JobExitCode.BadInput) {
    return { kind: 'failed', retryable: false, reason: 'BadInput', message: 'the trainer rejected its input (exit code 2)', exitCode, pod: name };
  }
  if (pod.status?.reason === 'NodeLost' || pod.status?.reason === 'UnexpectedAdmissionError') {
    return { kind: 'failed', retryable: true, reason: pod.status.reason, message: pod.status.message ?? 'the node was lost', exitCode, pod: name };
  }
  return {
    kind: 'failed',
    retryable: true,
    reason: terminated?.reason ?? 'Error',
    message: exitCode === null ? 'the trainer stopped without an exit code' : `the trainer exited with code ${exitCode}`,
    exitCode,
    pod: name,
  };
}

export function classifyJob(job: V1Job, pods: V1Pod[]): JobState {
  if (condition(job, 'Complete') || condition(job, 'SuccessCriteriaMet')) return { kind: 'succeeded' };
  const ordered = newest(pods);
  const failed = condition(job, 'Failed') ?? condition(job, 'FailureTarget');
  if (failed) {
    if (failed.reason === 'DeadlineExceeded') {
      return { kind: 'failed', retryable: false, reason: 'DeadlineExceeded', message: failed.message ?? 'the Job ran past activeDeadlineSeconds', exitCode: null, pod: null };
    }
    const pod = ordered.find((candidate) => candidate.status?.phase === 'Failed') ?? ordered[0];
    if (pod) return classifyPodFailure(pod);
    return { kind: 'failed', retryable: true, reason: failed.reason ?? 'Failed', message: failed.message ?? 'the Job failed', exitCode: null, pod: null };
  }
  const pod = ordered[0];
  if (!pod) return { kind: 'running', detail: 'Job created, no pod yet' };
  const waiting = trainerStatus(pod)?.state?.waiting;
  if (waiting?.reason && IMAGE_ERRORS.has(waiting.reason)) {
    return {
      kind: 'failed',
      retryable: false,
      reason: waiting.reason,
      message: `cannot pull image ${pod.spec?.containers?.[0]?.image ?? '?'}: ${waiting.message ?? waiting.reason}`,
      exitCode: null,
      pod: pod.metadata?.name ?? null,
    };
  }
  if (waiting?.reason && CONFIG_ERRORS.has(waiting.reason)) {
    return { kind: 'failed', retryable: false, reason: waiting.reason, message: waiting.message ?? waiting.reason, exitCode: null, pod: pod.metadata?.name ?? null };
  }
  if (pod.status?.phase === 'Failed') return classifyPodFailure(pod);
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (pod.status?.phase === 'Pending' && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const gpus = gpusOf(pod);
    return { kind: 'waiting', gpus, detail: `waiting for ${gpus} GPU${gpus === 1 ? '' : 's'}: ${scheduled.message ?? 'unschedulable'}` };
  }
  return { kind: 'running', detail: `pod ${pod.metadata?.name ?? '?'} ${pod.status?.phase ?? 'Pending'}` };
}
