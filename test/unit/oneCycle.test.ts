import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  oneCycle,
  oneCycleAt,
  OptionsError,
  resolveOneCycle,
  oneCycleStepOf,
  type OneCycleOptions,
} from '../../core/schedule/oneCycle.js';

// Fixtures stay in the source tree; dist/test/unit -> ../../../test/fixtures.
const FIXTURES = new URL('../../../test/fixtures/lr/', import.meta.url);

interface PyTorchCase {
  name: string;
  pytorch: Record<string, number | string | boolean>;
  lr: number[];
  momentum: number[];
}
interface Vectors {
  torch: string;
  cases: PyTorchCase[];
  errors: { name: string; pytorch: Record<string, number | string | boolean>; error: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('onecycle_vectors.json', FIXTURES), 'utf8')) as Vectors;

/** PyTorch's snake_case keyword arguments -> our camelCase options. */
function fromPyTorch(kwargs: Record<string, number | string | boolean>): OneCycleOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    out[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return out as OneCycleOptions;
}

function assertClose(actual: number, expected: number, what: string): void {
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(Math.abs(actual - expected) / scale <= 1e-9, `${what}: got ${actual}, PyTorch ${expected}`);
}

/** mulberry32: a small seeded PRNG so the property tests are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function assertOptionError(options: unknown, option: string, value: string): void {
  assert.throws(
    () => oneCycle(options as OneCycleOptions),
    (error: unknown) => {
      assert.ok(error instanceof OptionsError, `expected OptionsError, got ${String(error)}`);
      const line = error.message.split('\n').find((l) => l.startsWith(`${option}: `));
      assert.ok(line, `no problem names ${option}: ${error.message}`);
      assert.ok(line.endsWith(`(got ${value})`), `"${line}" should end with (got ${value})`);
      return true;
    },
  );
}

describe('oneCycle matches PyTorch OneCycleLR', () => {
  it(`was recorded from a real PyTorch (${vectors.torch})`, () => {
    assert.ok(vectors.cases.length >= 12);
  });

  for (const c of vectors.cases) {
    it(c.name, () => {
      const options = fromPyTorch(c.pytorch);
      const got = oneCycle(options);
      assert.equal(got.lr.length, c.lr.length);
      c.lr.forEach((lr, i) => assertClose(got.lr[i] as number, lr, `lr[${i}]`));
      if (options.cycleMomentum === false) {
        // PyTorch leaves the optimizer's own momentum (0.9 in the generator) untouched; we report none.
        assert.deepEqual(got.momentum, []);
        assert.ok(c.momentum.every((m) => m === 0.9));
      } else {
        assert.equal(got.momentum.length, c.momentum.length);
        c.momentum.forEach((m, i) => assertClose(got.momentum[i] as number, m, `momentum[${i}]`));
      }
    });
  }

  it('rejects what PyTorch crashes on or rejects', () => {
    for (const e of vectors.errors) {
      assert.throws(() => oneCycle(fromPyTorch(e.pytorch)), OptionsError, `${e.name} (PyTorch: ${e.error})`);
    }
  });

  it('starts at maxLr/divFactor and ends at the min lr', () => {
    const { lr } = oneCycle({ maxLr: 0.1, totalSteps: 100 });
    assertClose(lr[0] as number, 0.1 / 25, 'first');
    assertClose(lr[99] as number, 0.1 / 25 / 1e4, 'last');
  });

  it('oneCycleAt agrees with oneCycle', () => {
    const options: OneCycleOptions = { maxLr: 0.2, totalSteps: 37, threePhase: true, pctStart: 0.35 };
    const all = oneCycle(options);
    for (const step of [0, 5, 12, 13, 25, 36]) {
      const s = oneCycleAt(options, step);
      assert.equal(s.lr, all.lr[step]);
      assert.equal(s.momentum, all.momentum[step]);
    }
    assert.throws(() => oneCycleAt(options, 37), /step: .*\(got 37\)/);
  });
});

describe('oneCycle properties over random options (seeded)', () => {
  const random = prng(20240611);
  const runs: { options: OneCycleOptions; total: number }[] = [];
  for (let i = 0; i < 300; i++) {
    const total = 1 + Math.floor(random() * 400);
    const options: OneCycleOptions = {
      maxLr: 10 ** (-5 + random() * 5),
      pctStart: 0.01 + random() * 0.98,
      annealStrategy: random() < 0.5 ? 'cos' : 'linear',
      divFactor: 1 + random() * 100,
      finalDivFactor: 1 + random() * 1e5,
      threePhase: random() < 0.3,
      baseMomentum: 0.5 + random() * 0.3,
      maxMomentum: 0.85 + random() * 0.14,
    };
    if (random() < 0.3) {
      const epochs = 1 + Math.floor(random() * 10);
      const stepsPerEpoch = 1 + Math.floor(random() * 40);
      Object.assign(options, { epochs, stepsPerEpoch });
      runs.push({ options, total: epochs * stepsPerEpoch });
    } else {
      options.totalSteps = total;
      runs.push({ options, total });
    }
  }
  // The one combination PyTorch divides by zero on is an error, not a property.
  const valid = runs.filter(({ options, total }) => (options.pctStart as number) * total !== 1);

  it('has one lr and one momentum per step', () => {
    for (const { options, total } of valid) {
      const { lr, momentum } = oneCycle(options);
      assert.equal(lr.length, total);
      assert.equal(momentum.length, total);
    }
  });

  it('keeps the lr within [min lr, maxLr] and the momentum within its bounds', () => {
    for (const { options } of valid) {
      const { lr, momentum } = oneCycle(options);
      const maxLr = options.maxLr;
      const minLr = maxLr / (options.divFactor as number) / (options.finalDivFactor as number);
      // Linear annealing computes (end - start) * 1 + start, which rounds at the scale of maxLr, not of the min lr.
      const slack = maxLr * 1e-12;
      for (const x of lr) assert.ok(x <= maxLr + slack && x >= minLr - slack, `${x} outside [${minLr}, ${maxLr}]`);
      for (const m of momentum) {
        assert.ok(m >= (options.baseMomentum as number) - 1e-12 && m <= (options.maxMomentum as number) + 1e-12);
      }
    }
  });

  it('peaks where the warm-up phase ends', () => {
    for (const { options, total } of valid) {
      if (options.threePhase) continue;
      const warmupEnd = (options.pctStart as number) * total - 1;
      const { lr } = oneCycle(options);
      const peak = lr.indexOf(Math.max(...lr));
      // The peak is the last warm-up step or the first annealing step, whichever lands closer to the phase end.
      const expected = warmupEnd < 0 ? [0] : [Math.floor(warmupEnd), Math.min(Math.floor(warmupEnd) + 1, total - 1)];
      assert.ok(expected.includes(peak), `peak at ${peak}, warm-up ends at ${warmupEnd}`);
      if (Number.isInteger(warmupEnd)) assertClose(lr[peak] as number, options.maxLr, 'peak lr');
    }
  });

  it('moves momentum against the lr within each phase', () => {
    for (const { options } of valid) {
      const resolved = resolveOneCycle(options);
      let previous = oneCycleStepOf(resolved, 0);
      for (let step = 1; step < resolved.totalSteps; step++) {
        const current = oneCycleStepOf(resolved, step);
        if (current.phase === previous.phase) {
          const dLr = current.lr - previous.lr;
          const dMomentum = (current.momentum as number) - (previous.momentum as number);
          assert.ok(dLr * dMomentum <= 0, `step ${step}: lr ${dLr > 0 ? 'rose' : 'fell'} and momentum did too`);
        }
        previous = current;
      }
    }
  });
});

describe('oneCycle option errors name the option and the value', () => {
  const base = { maxLr: 0.1, totalSteps: 100 };
  it('maxLr', () => {
    assertOptionError({ totalSteps: 10 }, 'maxLr', 'nothing');
    assertOptionError({ ...base, maxLr: 0 }, 'maxLr', '0');
    assertOptionError({ ...base, maxLr: -0.1 }, 'maxLr', '-0.1');
    assertOptionError({ ...base, maxLr: Number.POSITIVE_INFINITY }, 'maxLr', 'Infinity');
    assertOptionError({ ...base, maxLr: '0.1' }, 'maxLr', '"0.1"');
  });
  it('totalSteps, epochs, stepsPerEpoch', () => {
    assertOptionError({ maxLr: 0.1 }, 'totalSteps', 'nothing');
    assertOptionError({ ...base, totalSteps: 0 }, 'totalSteps', '0');
    assertOptionError({ ...base, totalSteps: -5 }, 'totalSteps', '-5');
    assertOptionError({ ...base, totalSteps: 2.5 }, 'totalSteps', '2.5');
    assertOptionError({ ...base, epochs: 3 }, 'epochs', '3');
    assertOptionError({ ...base, stepsPerEpoch: 7 }, 'stepsPerEpoch', '7');
    assertOptionError({ maxLr: 0.1, epochs: 3 }, 'stepsPerEpoch', 'nothing');
    assertOptionError({ maxLr: 0.1, stepsPerEpoch: 3 }, 'epochs', 'nothing');
    assertOptionError({ maxLr: 0.1, epochs: 0, stepsPerEpoch: 3 }, 'epochs', '0');
    assertOptionError({ maxLr: 0.1, epochs: 2, stepsPerEpoch: 1.5 }, 'stepsPerEpoch', '1.5');
  });
  it('pctStart', () => {
    assertOptionError({ ...base, pctStart: 1.5 }, 'pctStart', '1.5');
    assertOptionError({ ...base, pctStart: 0 }, 'pctStart', '0');
    assertOptionError({ ...base, pctStart: 1 }, 'pctStart', '1');
    assertOptionError({ ...base, pctStart: Number.NaN }, 'pctStart', 'NaN');
    assertOptionError({ maxLr: 0.1, totalSteps: 10, pctStart: 0.1 }, 'pctStart', '0.1');
    assertOptionError({ maxLr: 0.1, epochs: 2, stepsPerEpoch: 2, pctStart: 0.25 }, 'pctStart', '0.25');
    assert.throws(() => oneCycle({ maxLr: 0.1, totalSteps: 10, pctStart: 0.1 }), /PyTorch's OneCycleLR divides by zero/);
  });
  it('annealStrategy', () => {
    assertOptionError({ ...base, annealStrategy: 'exp' }, 'annealStrategy', '"exp"');
  });
  it('divFactor and finalDivFactor', () => {
    assertOptionError({ ...base, divFactor: 0 }, 'divFactor', '0');
    assertOptionError({ ...base, finalDivFactor: -1 }, 'finalDivFactor', '-1');
  });
  it('threePhase and cycleMomentum', () => {
    assertOptionError({ ...base, threePhase: 'yes' }, 'threePhase', '"yes"');
    assertOptionError({ ...base, cycleMomentum: 1 }, 'cycleMomentum', '1');
  });
  it('baseMomentum and maxMomentum', () => {
    assertOptionError({ ...base, baseMomentum: -0.1 }, 'baseMomentum', '-0.1');
    assertOptionError({ ...base, maxMomentum: 1.2 }, 'maxMomentum', '1.2');
  });
  it('unknown options', () => {
    assertOptionError({ ...base, max_lr: 0.1 }, 'max_lr', '0.1');
    assertOptionError({ ...base, warmup: 10 }, 'warmup', '10');
  });
  it('reports every bad option at once', () => {
    assert.throws(
      () => oneCycle({ maxLr: -1, totalSteps: 0, pctStart: 2 }),
      (error: unknown) => error instanceof OptionsError && error.problems.length === 3,
    );
  });
  it('refuses to list absurdly long schedules, which oneCycleAt still serves', () => {
    assertOptionError({ maxLr: 0.1, totalSteps: 1e12 }, 'totalSteps', '1000000000000');
    assertOptionError({ maxLr: 0.1, epochs: 1e6, stepsPerEpoch: 1e6 }, 'epochs', '1000000');
    assertOptionError({ maxLr: 0.1, epochs: 1e9, stepsPerEpoch: 1e9 }, 'epochs', '1000000000');
    assertClose(oneCycleAt({ maxLr: 0.1, totalSteps: 1e12 }, 0).lr, 0.1 / 25, 'step 0');
  });

  it('accepts baseMomentum above maxMomentum, as PyTorch does', () => {
    const { momentum } = oneCycle({ ...base, baseMomentum: 0.95, maxMomentum: 0.85 });
    assert.equal(momentum[0], 0.85);
  });
});
