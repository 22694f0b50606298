/** Flattens nested JSON into `dotted.path → value`, to compare two configurations key by key. Pure. */
export type FlatValue = string | number | boolean | null;

export function flatten(value: unknown, prefix = '', out: Record<string, FlatValue> = {}): Record<string, FlatValue> {
  if (value === null || typeof value !== 'object') {
    if (prefix) out[prefix] = (value ?? null) as FlatValue;
    return out;
  }
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object')) out[prefix] = JSON.stringify(value);
    else value.forEach((item, index) => flatten(item, `${prefix}[${index}]`, out));
    return out;
  }
  for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  return out;
}

export interface Difference {
  key: string;
  a: FlatValue | undefined;
  b: FlatValue | undefined;
}

export function differences(a: Record<string, FlatValue>, b: Record<string, FlatValue>): Difference[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((key) => a[key] !== b[key]).map((key) => ({ key, a: a[key], b: b[key] }));
}
