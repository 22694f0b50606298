/** A trial's configuration: parameter name → value, with a canonical key to compare configurations. */

export type ParameterValue = number | string | boolean;
export type TrialConfig = Readonly<Record<string, ParameterValue>>;

/**
 * Canonical JSON (keys sorted): two configurations are the same trial configuration exactly when their keys are equal.
 * Used to refuse duplicate trials and to group trials that share range-test settings.
 */
export function configKey(config: TrialConfig): string {
  const sorted: Record<string, ParameterValue> = {};
  for (const name of Object.keys(config).sort()) sorted[name] = config[name] as ParameterValue;
  return JSON.stringify(sorted);
}

/** Short text for summaries and tables: `batchSize 64 · lr 0.0312`; numbers to 3 significant digits. */
export function describeConfig(config: TrialConfig): string {
  return Object.keys(config)
    .sort()
    .map((name) => `${name} ${formatValue(config[name] as ParameterValue)}`)
    .join(' · ');
}

function formatValue(value: ParameterValue): string {
  if (typeof value !== 'number' || Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(3)));
}
