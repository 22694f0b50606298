/** Whether a run met the goal its spec states (e.g. test accuracy ≥ 0.9). Pure. */
export interface Goal {
  metric: string;
  min?: number | undefined;
  max?: number | undefined;
}

/** null when the metric is missing or not finite: "unknown" is not "met". */
export function goalMet(goal: Goal, value: number | null | undefined): boolean | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (goal.min !== undefined && value < goal.min) return false;
  if (goal.max !== undefined && value > goal.max) return false;
  return true;
}

export function describeGoal(goal: Goal): string {
  const bounds = [goal.min !== undefined ? `≥ ${goal.min}` : null, goal.max !== undefined ? `≤ ${goal.max}` : null];
  return `${goal.metric} ${bounds.filter(Boolean).join(' and ')}`;
}
