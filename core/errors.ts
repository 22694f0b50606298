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

/** The `type` of the innermost failure that has one (an ApplicationFailure's type, e.g. "OOMKilled"). */
export function rootFailureType(error: unknown): string | undefined {
  let current: unknown = error;
  let type: string | undefined;
  while (current instanceof Error) {
    const candidate = (current as { type?: unknown }).type;
    if (typeof candidate === 'string' && candidate) type = candidate;
    current = current.cause;
  }
  return type;
}
