/**
 * Builds the `batch/v1` Job for one Gauntlet job: pure, so the whole manifest can be compared in tests.
 *
 * Retries belong to Temporal alone: `backoffLimit: 0`, and a pod failure policy that fails the Job at once on the
 * contract's "bad input" exit code, so Kubernetes and Temporal never both retry the same failure. Storage credentials
 * come from a Secret by reference; the job document (no secrets) travels in an env var.
 */
import type { V1Job } from '@kubernetes/client-node';
import { dnsLabel } from '../../../core/naming.js';
import { JobExitCode, type Job } from '../../../core/spec/job.js';
import type { KubernetesSpec } from '../../../core/spec/kubernetes.js';

export const LABEL = {
  managedBy: 'gauntlet.dev/managed-by',
  pipeline: 'gauntlet.dev/pipeline',
  run: 'gauntlet.dev/run',
  stage: 'gauntlet.dev/stage',
  job: 'gauntlet.dev/job',
  mode: 'gauntlet.dev/mode',
  queue: 'kueue.x-k8s.io/queue-name',
} as const;
export const ANNOTATION = { launch: 'gauntlet.dev/launch' } as const;
export const MANAGED_SELECTOR = `${LABEL.managedBy}=gauntlet`;
export const CONTAINER = 'trainer';

export interface JobIdentity {
  pipeline: string;
  run: string;
  stage: string;
}

const STORAGE_KEYS = ['GAUNTLET_STORAGE_ENDPOINT', 'GAUNTLET_STORAGE_ACCESS_KEY', 'GAUNTLET_STORAGE_SECRET_KEY', 'GAUNTLET_STORAGE_REGION'] as const;

/** Label values are limited to 63 characters of [A-Za-z0-9-_.]: keep readable ones, hash the rest. */
export function labelValue(text: string): string {
  return /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(text) ? text : dnsLabel([text]);
}

export function buildJobManifest(job: Job, spec: KubernetesSpec, identity: JobIdentity, options: { launch: number; deadlineSeconds: number; storageRetrySeconds?: number; env?: Record<string, string> }): V1Job {
  const labels = {
    ...spec.podLabels,
    [LABEL.managedBy]: 'gauntlet',
    [LABEL.pipeline]: labelValue(identity.pipeline),
    [LABEL.run]: labelValue(identity.run),
    [LABEL.stage]: labelValue(identity.stage),
    [LABEL.job]: job.jobId,
    [LABEL.mode]: job.mode,
    ...(spec.queueName ? { [LABEL.queue]: spec.queueName } : {}),
  };
  const limits: Record<string, string> = { cpu: spec.cpu, memory: spec.memory };
  if (spec.gpus > 0) limits['nvidia.com/gpu'] = String(spec.gpus);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: job.jobId, namespace: spec.namespace, labels, annotations: { [ANNOTATION.launch]: String(options.launch) } },
    spec: {
      backoffLimit: 0,
      podFailurePolicy: {
        rules: [{ action: 'FailJob', onExitCodes: { containerName: CONTAINER, operator: 'In', values: [JobExitCode.BadInput] } }],
      },
      activeDeadlineSeconds: spec.activeDeadlineSeconds ?? options.deadlineSeconds,
      ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished,
      template: {
        metadata: { labels, annotations: { ...spec.podAnnotations } },
        spec: {
          restartPolicy: 'Never',
          ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
          ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
          nodeSelector: spec.nodeSelector,
          tolerations: spec.tolerations,
          containers: [
            {
              name: CONTAINER,
              image: spec.image,
              imagePullPolicy: spec.imagePullPolicy,
              command: spec.command,
              env: [
                { name: 'GAUNTLET_JOB', value: JSON.stringify(job) },
                { name: 'PYTHONUNBUFFERED', value: '1' },
                ...(options.storageRetrySeconds !== undefined ? [{ name: 'GAUNTLET_STORAGE_RETRY_SECONDS', value: String(options.storageRetrySeconds) }] : []),
                // The trace context (TRACEPARENT) and where to export spans: only while the worker traces.
                ...Object.entries(options.env ?? {}).map(([name, value]) => ({ name, value })),
                ...STORAGE_KEYS.map((key) => ({
                  name: key,
                  valueFrom: { secretKeyRef: { name: spec.storageSecret, key, optional: key === 'GAUNTLET_STORAGE_REGION' } },
                })),
              ],
              resources: { limits, requests: { cpu: spec.cpu, memory: spec.memory } },
              volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }],
            },
          ],
          volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: spec.shmSize } }],
        },
      },
    },
  };
}
