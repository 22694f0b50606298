/**
 * The `gauntlet` CLI in tests: the real binary as a person runs it (runCli, startCli), or one command group in this
 * process (commandHarness), which is faster and lets a test look at the CliError itself.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mock } from 'node:test';
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from '../../cli/errors.js';
import { cliPath, repoRoot } from './paths.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface StartedCli {
  child: ChildProcess;
  /** Settles when the process has exited and its output is complete. */
  done: Promise<CliRun>;
  /** The first match of `pattern` in stderr so far or later; rejects if the process ends without one. */
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
  /** What it has printed so far. */
  output(): { stdout: string; stderr: string };
}

/** Starts `gauntlet ARGS` with a stack's environment and does not wait for it. */
export function startCli(args: string[], env: Record<string, string>): StartedCli {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const waitForStderr = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(stderr);
        if (!match) return;
        child.stderr.off('data', check);
        resolve(match);
      };
      child.stderr.on('data', check);
      check();
      done.then(
        ({ code }) => reject(new Error(`gauntlet ${args.join(' ')} exited ${code} before printing ${pattern}:\n${stderr}`)),
        reject,
      );
    });
  return { child, done, waitForStderr, output: () => ({ stdout, stderr }) };
}

/** Runs `gauntlet ARGS` to the end; kills it and rejects after `timeoutMs`. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<CliRun> {
  const { child, done, output } = startCli(args, env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gauntlet ${args.join(' ')} did not finish in ${timeoutMs} ms\n${output().stderr}`));
    }, timeoutMs);
    done.then(
      (run) => {
        clearTimeout(timer);
        resolve(run);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export interface CommandRun {
  /** What the command printed with console.log, lines joined by "\n". */
  out: string;
  /** process.exitCode as the command left it (restored afterwards). */
  exitCode: number | undefined;
  /** A CliError the command threw, or commander's own (unknown option, missing argument). */
  error?: CliError | CommanderError;
}

export interface CommandHarness {
  gauntlet(...args: string[]): Promise<CommandRun>;
  /** Asserts a one-line BadInput CliError matching `line`. */
  failsWith(args: string[], line: RegExp): Promise<void>;
}

/**
 * Commands that `register` adds to a fresh program, run in this process. `prefix` goes before every argument list
 * (e.g. `['data']` when register adds a subcommand to a `data` command it creates).
 */
export function commandHarness(register: (program: Command) => void, prefix: string[] = []): CommandHarness {
  const gauntlet = async (...args: string[]): Promise<CommandRun> => {
    const program = new Command('gauntlet').exitOverride();
    // commander's usage errors come back as `error`; printing them too would only clutter the test output.
    program.configureOutput({ writeErr: () => undefined });
    register(program);
    const lines: string[] = [];
    const log = mock.method(console, 'log', (...parts: unknown[]) => lines.push(parts.join(' ')));
    const before = process.exitCode;
    try {
      await program.parseAsync([...prefix, ...args], { from: 'user' });
      return { out: lines.join('\n'), exitCode: typeof process.exitCode === 'number' ? process.exitCode : undefined };
    } catch (error) {
      if (error instanceof CliError || error instanceof CommanderError) return { out: lines.join('\n'), exitCode: undefined, error };
      throw error;
    } finally {
      log.mock.restore();
      process.exitCode = before;
    }
  };
  const failsWith = async (args: string[], line: RegExp): Promise<void> => {
    const { error } = await gauntlet(...args);
    assert.ok(error instanceof CliError, `expected ${args.join(' ')} to fail`);
    assert.equal(error.exitCode, ExitCode.BadInput);
    assert.ok(!error.message.includes('\n'), 'one line, no stack trace');
    assert.match(error.message, line);
  };
  return { gauntlet, failsWith };
}
