/**
 * The artifact store as the CLI reaches it: the worker's storage variables (GAUNTLET_STORAGE_*, GAUNTLET_BUCKET),
 * with the embedded stack's credentials file and defaults when they are unset.
 */
import { ArtifactStore } from '../activities/store.js';
import { readCredentials } from '../deploy/dev/options.js';
import { defaultStateDir } from '../deploy/dev/paths.js';
import { loadWorkerConfig } from '../worker/config.js';
import { createMinioClient } from '../worker/sideEffects.js';

export function cliStore(env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  const credentials = readCredentials(defaultStateDir(env));
  const fromFile = credentials ? { GAUNTLET_STORAGE_ACCESS_KEY: credentials.accessKey, GAUNTLET_STORAGE_SECRET_KEY: credentials.secretKey } : {};
  const config = loadWorkerConfig({ ...fromFile, ...env });
  return new ArtifactStore(createMinioClient(config), config.bucket, config.storageEndpoint);
}
