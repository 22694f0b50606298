/** Temporal's schedule errors as the CLI's: a missing or taken name and a spec Temporal rejects are bad input (exit 2). */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ServiceError, isGrpcServiceError } from '@temporalio/client';
import { CliError, ExitCode } from '../errors.js';

/** gRPC's INVALID_ARGUMENT, without depending on @grpc/grpc-js for one number. */
const INVALID_ARGUMENT = 3;

/** Runs one schedule call and turns what a person can fix into exit 2 naming the schedule. */
export async function onSchedule<T>(name: string, call: () => Promise<T>, creating = false): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw scheduleError(name, error, creating);
  }
}

export function scheduleError(name: string, error: unknown, creating = false): unknown {
  if (error instanceof ScheduleNotFoundError) {
    return new CliError(`no schedule ${JSON.stringify(name)}: list them with \`gauntlet schedule list\``, ExitCode.BadInput);
  }
  if (error instanceof ScheduleAlreadyRunning) {
    return new CliError(`schedule ${name} already exists (delete it first or pick another name)`, ExitCode.BadInput);
  }
  // On create, the SDK rethrows the server's "Invalid schedule spec: …" as a TypeError carrying the server's words.
  if (creating && error instanceof TypeError) return new CliError(`Temporal rejected schedule ${name}: ${error.message}`, ExitCode.BadInput);
  if (error instanceof ServiceError && isGrpcServiceError(error.cause) && error.cause.code === INVALID_ARGUMENT) {
    return new CliError(`Temporal rejected schedule ${name}: ${error.cause.details}`, ExitCode.BadInput);
  }
  return error;
}
