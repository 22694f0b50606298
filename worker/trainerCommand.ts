/** How the worker starts a trainer process: the reference trainer, or a user command with `{python}` filled in. */
import { join } from 'node:path';
import type { TrainerSpec } from '../activities/executor/types.js';

export function trainerCommand(trainer: TrainerSpec, python: string, repoRoot: string): string[] {
  if (trainer.kind === 'reference' || !trainer.command) return [python, join(repoRoot, 'trainer', 'reference_trainer.py')];
  return trainer.command.map((arg) => arg.replaceAll('{python}', python));
}

/** Environment every trainer process gets: the helper library on PYTHONPATH, unbuffered progress lines. */
export function trainerBaseEnv(repoRoot: string): Record<string, string> {
  const existing = process.env.PYTHONPATH;
  const trainerDir = join(repoRoot, 'trainer');
  return { PYTHONPATH: existing ? `${trainerDir}:${existing}` : trainerDir, PYTHONUNBUFFERED: '1' };
}
