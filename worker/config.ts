/**
 * Worker configuration, read from the environment and validated once at start-up.
 * Every variable has a default that matches the embedded dev stack (`gauntlet dev up`).
 */
import { z } from 'zod';
import { parseEnv } from '../config/env.js';
import { TEMPORAL_ENV, checkTemporalFields, temporalFields } from '../config/temporal.js';

export { ConfigError } from '../config/errors.js';

/** The Temporal connection settings (config/temporal.ts, shared with the CLI), then the worker's own. */
export const WORKER_ENV = {
  ...TEMPORAL_ENV,
  taskQueue: 'GAUNTLET_TASK_QUEUE',
  storageEndpoint: 'GAUNTLET_STORAGE_ENDPOINT',
  storageAccessKey: 'GAUNTLET_STORAGE_ACCESS_KEY',
  storageSecretKey: 'GAUNTLET_STORAGE_SECRET_KEY',
  storageRegion: 'GAUNTLET_STORAGE_REGION',
  bucket: 'GAUNTLET_BUCKET',
  stateDir: 'GAUNTLET_STATE_DIR',
  python: 'GAUNTLET_PYTHON',
  uiUrl: 'GAUNTLET_UI_URL',
  kubeconfig: 'GAUNTLET_KUBECONFIG',
  healthPort: 'GAUNTLET_HEALTH_PORT',
} as const;

export const WorkerConfig = z.strictObject({
  ...temporalFields,
  taskQueue: z.string().min(1).default('gauntlet'),
  storageEndpoint: z.url().default('http://127.0.0.1:9000'),
  storageAccessKey: z.string().min(3).default('gauntlet'),
  storageSecretKey: z.string().min(8).default('gauntlet-dev-secret'),
  storageRegion: z.string().min(1).default('us-east-1'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name').default('gauntlet'),
  stateDir: z.string().min(1).default('.gauntlet'),
  python: z.string().min(1).default('python3'),
  uiUrl: z.url().default('http://127.0.0.1:8233'),
  /** Kubeconfig path for the kubernetes executor, or `in-cluster`; without it the worker runs local jobs only. */
  kubeconfig: z.string().min(1).optional(),
  /** Port of the /healthz and /readyz endpoint (worker/health.ts) for Kubernetes probes; unset: no endpoint. */
  healthPort: z.coerce.number<string>().int().min(1).max(65535).optional(),
}).superRefine(checkTemporalFields);
export type WorkerConfig = z.infer<typeof WorkerConfig>;

/** Reads the config from an environment; throws a ConfigError naming each bad variable and its value. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(WorkerConfig, WORKER_ENV, env, 'worker configuration');
}

/** The storage credentials as the trainer sees them (env only, never a payload). */
export function trainerStorageEnv(config: WorkerConfig): Record<string, string> {
  return {
    GAUNTLET_STORAGE_ENDPOINT: config.storageEndpoint,
    GAUNTLET_STORAGE_ACCESS_KEY: config.storageAccessKey,
    GAUNTLET_STORAGE_SECRET_KEY: config.storageSecretKey,
    GAUNTLET_STORAGE_REGION: config.storageRegion,
  };
}
