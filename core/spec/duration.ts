/** Durations as users write them in pipeline files and Temporal accepts them: `500ms`, `30s`, `10m`, `2h`, `1d`. */
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

export const Duration = z
  .string()
  .regex(PATTERN, 'must be a duration like "500ms", "30s", "10m", "2h" or "1d"')
  .refine((text) => !PATTERN.test(text) || durationMs(text) > 0, 'must be longer than zero');
export type Duration = z.infer<typeof Duration>;

export function durationMs(text: string): number {
  const match = PATTERN.exec(text);
  if (!match) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
