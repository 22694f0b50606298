/** The `gauntlet` command. Every failure is one clear line and a non-zero exit code, never a stack trace. */
import { Command, CommanderError } from 'commander';
import { registerApproveCommand } from './commands/approve.js';
import { registerCancelCommand } from './commands/cancel.js';
import { registerDataCommands } from './commands/data.js';
import { registerDevCommands } from './commands/dev.js';
import { registerEvalCommands } from './commands/eval.js';
import { registerLabelsCommands } from './commands/labels.js';
import { registerLabelCommands } from './commands/label.js';
import { registerLrCommands } from './commands/lr.js';
import { registerModelsCommands } from './commands/models.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerScheduleCommands } from './commands/schedule.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSweepCommands } from './commands/sweep.js';
import { registerValidateCommand } from './commands/validate.js';
import { CliError, ExitCode } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('gauntlet')
    .description('ML pipelines where every check careful engineers do by hand is a durable gate')
    .showHelpAfterError()
    .exitOverride();
  registerValidateCommand(program);
  registerRunCommand(program);
  registerStatusCommand(program);
  registerReportCommand(program);
  registerCancelCommand(program);
  registerApproveCommand(program);
  registerRunsCommands(program);
  registerScheduleCommands(program);
  registerDevCommands(program);
  registerLrCommands(program);
  registerSweepCommands(program);
  registerLabelCommands(program);
  registerLabelsCommands(program);
  registerDataCommands(program);
  registerEvalCommands(program);
  registerModelsCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    // A command that finished but has news (a run that is `incomplete`) sets its own code.
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
    if (error instanceof CliError) {
      console.error(`error: ${error.message}`);
      for (const line of error.details) console.error(`  ${line}`);
      return error.exitCode;
    }
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.Failed;
  }
}
