/**
 * A user-facing dev-stack failure: the message is one line that names the thing and the fix, so the CLI prints it
 * as-is (no stack trace).
 */
export class DevError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevError';
  }
}
