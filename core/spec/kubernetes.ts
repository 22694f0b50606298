/**
 * The pipeline's Kubernetes section: how a job becomes a `batch/v1` Job on a GPU cluster. Validated strictly so a
 * bad section (negative GPUs, unknown field, invalid toleration) is rejected before anything is created.
 */
import { z } from 'zod';
import { Duration } from './duration.js';

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
/** A label key: optional DNS-subdomain prefix, then a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Kubernetes resource quantities: `2`, `500m`, `8Gi`, `1.5G`. */
export const Quantity = z
  .string()
  .regex(/^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/, 'must be a Kubernetes quantity like "2", "500m" or "8Gi"');

export const Toleration = z
  .strictObject({
    key: z.string().regex(LABEL_KEY, 'must be a valid label key').optional(),
    operator: z.enum(['Exists', 'Equal']).default('Equal'),
    value: z.string().regex(LABEL_VALUE, 'must be a valid label value').optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().min(0).optional(),
  })
  .superRefine((toleration, ctx) => {
    if (toleration.operator === 'Exists' && toleration.value !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be empty when operator is Exists', input: toleration.value });
    }
    if (toleration.operator === 'Equal' && toleration.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'is required when operator is Equal' });
    }
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
      ctx.addIssue({ code: 'custom', path: ['tolerationSeconds'], message: 'only applies to effect NoExecute', input: toleration.tolerationSeconds });
    }
  });
export type Toleration = z.infer<typeof Toleration>;

export const KubernetesSpec = z.strictObject({
  namespace: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label').default('gauntlet'),
  /** Trainer image; it must hold the trainer and speak the job contract. */
  image: z.string().min(1).regex(/^\S+$/, 'must not contain spaces'),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  /** argv in the container; the reference trainer by default. */
  command: z.array(z.string().min(1)).min(1).default(['python3', '/app/trainer/reference_trainer.py']),
  /** `nvidia.com/gpu` limit of each job. */
  gpus: z.number().int().min(0).max(64).default(1),
  cpu: Quantity.default('2'),
  memory: Quantity.default('8Gi'),
  /** Size of the memory-backed /dev/shm (PyTorch data loaders need more than the default 64Mi). */
  shmSize: Quantity.default('1Gi'),
  nodeSelector: z.record(z.string().regex(LABEL_KEY, 'must be a valid label key'), z.string().regex(LABEL_VALUE, 'must be a valid label value')).default({}),
  tolerations: z.array(Toleration).default([]),
  /** Secret holding GAUNTLET_STORAGE_ENDPOINT / _ACCESS_KEY / _SECRET_KEY / _REGION: the pod reads it, the workflow never sees it. */
  storageSecret: z.string().regex(DNS_SUBDOMAIN, 'must be a valid Secret name').default('gauntlet-storage'),
  serviceAccountName: z.string().regex(DNS_SUBDOMAIN, 'must be a valid ServiceAccount name').optional(),
  /** Hard limit on a job's run time; defaults to the trainer timeout. */
  activeDeadlineSeconds: z.number().int().positive().optional(),
  ttlSecondsAfterFinished: z.number().int().min(0).default(3600),
  priorityClassName: z.string().regex(DNS_SUBDOMAIN, 'must be a valid PriorityClass name').optional(),
  /** Kueue LocalQueue: adds the `kueue.x-k8s.io/queue-name` label. */
  queueName: z.string().regex(DNS_LABEL, 'must be a DNS-1123 label').optional(),
  /** How long a job may wait unschedulable (e.g. for GPUs) before it fails. */
  queueTimeout: Duration.default('30m'),
  /** Extra annotations on the pod template (e.g. for schedulers, or the local cluster's simulation). */
  podAnnotations: z.record(z.string().regex(LABEL_KEY, 'must be a valid annotation key'), z.string()).default({}),
  podLabels: z.record(z.string().regex(LABEL_KEY, 'must be a valid label key'), z.string().regex(LABEL_VALUE, 'must be a valid label value')).default({}),
});
export type KubernetesSpec = z.infer<typeof KubernetesSpec>;
