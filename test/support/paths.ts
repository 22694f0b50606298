/** Paths of the checkout, for tests that start the worker, the CLI or the trainer. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tests run from dist/test/…: the repository root is three levels up. */
export const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
export const workflowsPath = resolve(repoRoot, 'dist', 'workflows', 'index.js');
export const cliPath = resolve(repoRoot, 'bin', 'gauntlet.js');
