/**
 * Names that people read (workflow ids) and names machines constrain (DNS-1123 labels for jobs and Kubernetes).
 * Deterministic: the same inputs always give the same name, so a retried activity finds what it already made.
 */

/** FNV-1a, 32 bit, as 8 hex digits: a short stable suffix, not a security hash. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** `20261126T124500Z` — sortable, readable, valid in ids and object keys. */
export function compactUtcTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** `<pipeline>-<UTC timestamp>`, e.g. `digits-20261126T124500Z`. */
export function runWorkflowId(pipeline: string, startedAt: Date): string {
  return `${pipeline}-${compactUtcTimestamp(startedAt)}`;
}

const MAX_LABEL = 63;

/**
 * A valid DNS-1123 label (≤ 63 chars, [a-z0-9-], alphanumeric at both ends) from any path of ids:
 * a readable prefix from the parts and a stable hash of all of them, so truncation never makes two names collide.
 */
export function dnsLabel(parts: readonly string[], hashInput: readonly string[] = parts): string {
  const hash = shortHash(hashInput.join('\u0000'));
  const readable = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  const room = MAX_LABEL - hash.length - 1;
  const prefix = readable.slice(0, room).replace(/-+$/g, '');
  const label = prefix ? `${prefix}-${hash}` : `j${hash}`;
  return /^[a-z]/.test(label) ? label : `j${label}`.slice(0, MAX_LABEL);
}
