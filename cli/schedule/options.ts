/**
 * `schedule create`'s flags, checked together with zod so a person sees every problem at once (exit 2), before the
 * pipeline file is read or Temporal is called.
 */
import { z } from 'zod';
import { Duration, durationMs } from '../../core/spec/duration.js';
import { OVERLAP_POLICIES, ScheduleName, type OverlapName } from '../../contracts/schedule.js';
import { cronProblems } from './cron.js';

/** Temporal raises a shorter catch-up window to this, so a smaller value would not mean what it says. */
const MIN_CATCHUP_MS = 10_000;

const OverlapFlag = z.enum(Object.keys(OVERLAP_POLICIES) as [OverlapName, ...OverlapName[]]);

export const CreateFlags = z.object({
  name: ScheduleName,
  pipeline: z.string().min(1, 'is required'),
  cron: z.string().superRefine((cron, context) => {
    for (const message of cronProblems(cron)) context.addIssue({ code: 'custom', message });
  }),
  timezone: z
    .string()
    .default('UTC')
    .transform((zone, context) => {
      const canonical = canonicalTimeZone(zone);
      if (canonical === null) context.addIssue({ code: 'custom', message: `unknown time zone ${JSON.stringify(zone)} (use an IANA name such as Europe/Berlin or UTC)` });
      return canonical ?? zone;
    }),
  overlap: OverlapFlag.default('skip'),
  catchupWindow: Duration.refine((text) => durationMs(text) >= MIN_CATCHUP_MS, 'must be at least 10s (Temporal’s minimum)').optional(),
  paused: z.boolean().default(false),
  note: z.string().min(1, 'must not be empty').optional(),
});
export type CreateFlags = z.infer<typeof CreateFlags>;

/** Flag names as the person typed them, for the problem lines. */
const FLAG_NAMES: Record<string, string> = { name: 'NAME', catchupWindow: '--catchup-window' };

export type FlagsResult = { ok: true; flags: CreateFlags } | { ok: false; problems: string[] };

export function parseCreateFlags(input: Record<string, unknown>): FlagsResult {
  const parsed = CreateFlags.safeParse(input);
  if (parsed.success) return { ok: true, flags: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return `${FLAG_NAMES[key] ?? `--${key}`}: ${issue.message}`;
    }),
  };
}

/**
 * The IANA name Intl knows, in its own spelling when only the case differs (Temporal's server loads zones by exact
 * name: `europe/berlin` would fail there), or null when Intl does not know the zone.
 */
export function canonicalTimeZone(zone: string): string | null {
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  } catch {
    return null;
  }
}
