/**
 * The pinned Helm binary (deploy/dev/binaries.ts) for chart tests, run with its config, cache and data folders in a
 * temp folder so a test neither reads nor writes the user's Helm repositories.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinary } from '../../deploy/dev/binaries.js';
import { DevError } from '../../deploy/dev/errors.js';
import { type CaptureResult, runCapture } from '../../deploy/dev/exec.js';

/** Why Helm cannot be had (no Go toolchain and nothing cached), or undefined when it is there (built now if needed). */
export async function helmMissingReason(): Promise<string | undefined> {
  try {
    await ensureBinary('helm');
    return undefined;
  } catch (error) {
    const go = await runCapture('go', ['version']);
    if (error instanceof DevError && go.error?.code === 'ENOENT') return `helm is not cached and cannot be built: ${error.message}`;
    throw error;
  }
}

export interface Helm {
  run(args: string[], timeoutMs?: number): Promise<CaptureResult>;
  /** Deletes the temp Helm home. */
  close(): void;
}

export async function helm(): Promise<Helm> {
  const binary = await ensureBinary('helm');
  const home = mkdtempSync(join(tmpdir(), 'gauntlet-helm-'));
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  return {
    run: (args, timeoutMs = 120_000) => runCapture(binary, args, { env, timeoutMs }),
    close: () => rmSync(home, { recursive: true, force: true }),
  };
}
