/** CLI errors: one clear line and an exit code, never a stack trace. */
/**
 * `Incomplete`: the run finished but its sweep stopped on budget.maxFailedTrials (status `incomplete`).
 * `ChecksFailed`: the same 4 from `gauntlet data check`: the command ran and a data check failed.
 */
export const ExitCode = { Ok: 0, Failed: 1, BadInput: 2, Unavailable: 3, Incomplete: 4, ChecksFailed: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Failed,
    /** Extra lines printed after the message (e.g. every spec problem). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}
