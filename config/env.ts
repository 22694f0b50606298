/**
 * Reading GAUNTLET_* variables through a zod schema whose keys map to variable names, so that every problem names the
 * variable (not the schema key) and the value it had. Empty values count as unset: a Helm chart or a shell script
 * often exports `VAR=` for "no value".
 */
import type { z } from 'zod';
import { ConfigError } from './errors.js';

export type EnvNames = Readonly<Record<string, string>>;

/** The set variables among `names`, keyed by schema key. */
export function readVariables(names: EnvNames, env: NodeJS.ProcessEnv): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [key, variable] of Object.entries(names)) {
    const value = env[variable];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return raw;
}

/** Parses the variables with `schema`; throws a ConfigError naming each bad variable and its value. */
export function parseEnv<S extends z.ZodType>(schema: S, names: EnvNames, env: NodeJS.ProcessEnv, what: string): z.infer<S> {
  const raw = readVariables(names, env);
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const variable = names[key] ?? key;
      return `${variable}: ${issue.message} (got ${raw[key] === undefined ? 'nothing' : JSON.stringify(secretSafe(variable, raw[key]))})`;
    }),
    what,
  );
}

/** An API key or password is never echoed in an error: its length says enough. */
function secretSafe(variable: string, value: string): string {
  return /API_KEY|SECRET|PASSWORD|TOKEN/.test(variable) ? `<${value.length} characters>` : value;
}
