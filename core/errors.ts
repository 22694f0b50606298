/** Temporal wraps failures (workflow → activity → application): the innermost message is the one people can act on. */
export function rootCauseMessage(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  while (current instanceof Error) {
    message = current.message;
    current = current.cause;
  }
  return message;
}
