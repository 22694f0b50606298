/** Run a short command and capture its output (version probes, health checks, CLI admin calls). */
import { spawn } from 'node:child_process';

export interface CaptureResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (ENOENT: not installed) or timed out. */
  error?: NodeJS.ErrnoException;
  timedOut: boolean;
}

export function runCapture(
  command: string,
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CaptureResult> {
  return new Promise((resolvePromise) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = (code: number | null, error?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, error, timedOut });
    };
    child.on('error', (error: NodeJS.ErrnoException) => done(null, error));
    child.on('close', (code) => done(code));
  });
}
