/** Deep equality for JSON-like values where numbers may differ by `tolerance` (libraries sum in another order). */
import assert from 'node:assert/strict';

export function assertClose(actual: unknown, expected: unknown, tolerance = 1e-9, path = '$'): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: expected a number, got ${JSON.stringify(actual)}`);
    assert.ok(Math.abs((actual as number) - expected) <= tolerance, `${path}: ${String(actual)} != ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, tolerance, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${path}: expected an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const [key, e] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], e, tolerance, `${path}.${key}`);
  } else {
    assert.equal(actual, expected, path);
  }
}
