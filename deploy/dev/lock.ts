/**
 * A cross-process lock: a file holding the owner's pid, created with O_EXCL. A lock whose owner is gone is stale and
 * taken over. Used for binary builds and for `up`/`down` on one state folder (two terminals, parallel tests).
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { sleep } from './process.js';

export async function withLock<T>(path: string, onWait: (ownerPid: number) => void, fn: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readOwner(path));
      if (!owner || !pidAlive(owner)) {
        // Stale: its owner is gone.
        rmSync(path, { force: true });
        continue;
      }
      if (!announced) onWait(owner);
      announced = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

function readOwner(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
