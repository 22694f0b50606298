/** Finds live trainer processes of one state folder through /proc, the way an operator would with ps. */
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of processes whose environment names a job file under `stateDir` and that run the reference trainer. */
export function trainerPids(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('reference_trainer.py') || cmdline.startsWith('/bin/sh')) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(`GAUNTLET_JOB_FILE=${stateDir}`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
