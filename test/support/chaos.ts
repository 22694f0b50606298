/** Faults for integration tests: kill a service of a test stack (-9, its whole process group) and bring it back as `gauntlet dev up` does. */
import { statePaths } from '../../deploy/dev/paths.js';
import { isOurs, readPidFile } from '../../deploy/dev/process.js';
import { devUp } from '../../deploy/dev/stack.js';

export async function killService(stateDir: string, service: 'temporal' | 'minio'): Promise<void> {
  const record = readPidFile(statePaths(stateDir).pidFile(service));
  if (!isOurs(record)) throw new Error(`${service} of ${stateDir} is not running`);
  process.kill(-record.pid, 'SIGKILL');
  while (isOurs(record)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Restarts whatever is down, on the same ports and data (Temporal's SQLite file, MinIO's folder). */
export async function restartServices(stateDir: string): Promise<void> {
  await devUp({ stateDir, log: () => undefined });
}

/** Resolves when `check` holds, polling; rejects after `timeoutMs` naming what it waited for. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
