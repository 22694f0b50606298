import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  analyzeLrRangeTest,
  gradient,
  minimum,
  noiseSigma,
  slide,
  steep,
  valley,
  type LrPoint,
} from '../../core/lr/rangeTest.js';
import { formatLr, renderLrCurveSvg } from '../../core/lr/svg.js';
import { OptionsError } from '../../core/schedule/oneCycle.js';

const FIXTURES = new URL('../../../test/fixtures/lr/', import.meta.url);

interface FastaiCurve {
  name: string;
  numIt: number;
  points: { lr: number; loss: number | string }[];
  recorded: number;
  curve: { lr: number; smoothed: number }[];
  suggestions: Record<'valley' | 'slide' | 'minimum' | 'steep', number | null>;
}
const fastai = JSON.parse(readFileSync(new URL('fastai_vectors.json', FIXTURES), 'utf8')) as {
  fastai: string;
  curves: FastaiCurve[];
};

const decode = (loss: number | string): number => (typeof loss === 'number' ? loss : Number(loss));
const pointsOf = (c: FastaiCurve): LrPoint[] => c.points.map((p) => ({ lr: p.lr, loss: decode(p.loss) }));
const curveNamed = (name: string): FastaiCurve => {
  const c = fastai.curves.find((x) => x.name === name);
  assert.ok(c, `no fixture curve ${name}`);
  return c;
};

function assertClose(actual: number | null, expected: number | null, what: string, tol = 1e-12): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= tol * Math.abs(expected), `${what}: got ${actual}, fastai ${expected}`);
}

describe(`analyzeLrRangeTest matches fastai ${fastai.fastai} (generate_fastai.py)`, () => {
  for (const c of fastai.curves) {
    it(c.name, () => {
      const got = analyzeLrRangeTest(pointsOf(c), { numIt: c.numIt });
      assert.equal(got.curve.length, c.curve.length, 'trimmed curve length');
      got.curve.forEach((p, i) => {
        assert.equal(p.lr, (c.curve[i] as { lr: number }).lr, `curve[${i}].lr`);
        assertClose(p.smoothed, (c.curve[i] as { smoothed: number }).smoothed, `curve[${i}].smoothed`);
      });
      for (const key of ['valley', 'steep', 'minimum', 'slide'] as const) {
        assertClose(got.suggestions[key], c.suggestions[key], key);
      }
    });
  }
});

describe('fastai suggestion functions, hand-computed', () => {
  const lrs9 = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];

  it('valley: 2/3 of the way down the longest valley', () => {
    // Longest decreasing run 3? no: 5,4,3,2,1,0.5 ends at index 6 with length 6, so start = 6 - 6 = 0;
    // sections = 2, idx = 0 + 2 + 1 = 3.
    assert.equal(valley(lrs9, [3, 5, 4, 3, 2, 1, 0.5, 2, 6]), 1e-2);
  });

  it('valley: keeps Python’s reading of index -1 as the last element', () => {
    // lds[1] = 2, so max_start = 1 - 2 = -1 and idx = -1 + 0 + 0: fastai returns lrs[-1].
    assert.equal(valley([1, 2, 3, 4, 5], [2, 1, 3, 4, 5]), 5);
  });

  it('steep: the left end of the steepest segment against log(lr)', () => {
    assert.equal(steep([1e-3, 1e-2, 1e-1, 1], [2, 1.9, 1.0, 1.5]), 1e-2);
  });

  it('minimum: a tenth of the lr at the first smallest loss', () => {
    assert.equal(minimum([1, 2, 3, 4], [3, 1, 1, 2]), 0.2);
  });

  it('slide: constant gradient stops at once at lrs[-16]; a curving one walks to lrs[0]', () => {
    const lrs = Array.from({ length: 20 }, (_, i) => 10 ** (-6 + i / 4));
    assert.equal(slide(lrs, lrs.map((_, i) => 5 - 0.1 * i)), lrs[4]);
    assert.equal(slide(lrs, lrs.map((_, i) => 0.01 * i * i)), lrs[0]);
    assert.equal(slide(lrs.slice(0, 15), lrs.slice(0, 15).map(() => 1)), null);
  });

  it('numpy.gradient', () => {
    assert.deepEqual(gradient([1, 2, 4, 7, 11]), [1, 1.5, 2.5, 3.5, 4]);
    assert.deepEqual(gradient([3, 1]), [-2, -2]);
  });

  it('null where fastai would raise', () => {
    assert.equal(valley([], []), null);
    assert.equal(minimum([], []), null);
    assert.equal(steep([1], [1]), null);
  });
});

describe('steepness is measured against log(lr) (the Lightning bug)', () => {
  // Lightning's suggestion takes np.gradient of the loss per *index*, which is only the slope against log(lr)
  // when the grid is exponential. On a non-uniform grid the answers part.
  const lrs = [1e-3, 1e-2, 1.1e-2, 1e-1];
  const losses = [2.0, 1.0, 0.95, 0.5];
  const argminOf = (xs: number[]): number => xs.indexOf(Math.min(...xs));
  const slopes = (xs: number[]): number[] => xs.slice(1).map((x, i) => ((losses[i + 1] as number) - (losses[i] as number)) / (x - (xs[i] as number)));

  it('on log(lr): the 10% lr step that cut the loss 5% is the steepest', () => {
    assert.equal(steep(lrs, losses), 1e-2);
  });
  it('on raw lr or per index the answer would be different', () => {
    assert.equal(lrs[argminOf(slopes(lrs))], 1e-3);
    assert.equal(lrs[argminOf(slopes(lrs.map((_, i) => i)))], 1e-3);
  });
  it('on an exponential grid log(lr) and index agree', () => {
    const grid = [1e-4, 1e-3, 1e-2, 1e-1];
    const perIndex = argminOf(slopes([0, 1, 2, 3]));
    assert.equal(steep(grid, losses), grid[perIndex]);
  });
});

describe('smoothing, divergence and non-finite losses', () => {
  it('bias-corrected EMA, as fastai’s AvgSmoothLoss', () => {
    const { curve } = analyzeLrRangeTest(
      [
        { lr: 1e-3, loss: 1 },
        { lr: 1e-2, loss: 2 },
      ],
      { skipEnd: 0 },
    );
    assert.equal(curve[0]?.smoothed, 1);
    // val = 0.02 then 0.02 + 0.02 × (2 - 0.02) = 0.0596; 0.0596 / (1 - 0.98²) = 1.50505...
    assert.ok(Math.abs((curve[1]?.smoothed as number) - 0.0596 / 0.0396) < 1e-12);
  });

  it('stops at the first loss above 4 × the best, keeping that point', () => {
    const losses = [1, 0.5, 0.4, 1.7, 0.3, 0.2];
    const points = losses.map((loss, i) => ({ lr: 10 ** (i - 6), loss }));
    const { curve } = analyzeLrRangeTest(points, { smooth: false, skipEnd: 0 });
    assert.deepEqual(curve.map((p) => p.loss), [1, 0.5, 0.4, 1.7]);
    const wider = analyzeLrRangeTest(points, { smooth: false, skipEnd: 0, divergeFactor: 5 });
    assert.equal(wider.curve.length, 6);
  });

  it('an infinite loss ends the test; the 5 points before it are trimmed as lr_find does', () => {
    const c = curveNamed('inf_at_60');
    const got = analyzeLrRangeTest(pointsOf(c), { numIt: 100 });
    assert.equal(got.curve.length, 61 - 10 - 5);
    assert.ok(got.curve.every((p) => Number.isFinite(p.loss)));
  });

  it('a NaN loss cuts the curve just before it, and the verdict says why the curve ends there', () => {
    const c = curveNamed('nan_at_70');
    const got = analyzeLrRangeTest(pointsOf(c));
    assert.equal(got.curve.length, 70 - 10);
    assert.equal(got.curve.at(-1)?.lr, c.points[69]?.lr);
    assert.equal(got.trustworthy, false);
    assert.match(got.reasons.join('\n'), /the loss became NaN at lr 0\.0398 while still falling/);
  });

  it('-Infinity does not become the best loss', () => {
    const points = Array.from({ length: 40 }, (_, i) => ({ lr: 10 ** (-6 + i / 8), loss: i === 30 ? -Infinity : 2 - i / 40 }));
    const got = analyzeLrRangeTest(points);
    assert.ok(got.curve.every((p) => Number.isFinite(p.smoothed)));
    assert.ok((got.suggestions.minimum as number) < (points[30] as LrPoint).lr);
  });

  it('numIt longer than the points: a stopped run is still trimmed by numIt / 10', () => {
    const c = curveNamed('stopped_early');
    assert.equal(analyzeLrRangeTest(pointsOf(c), { numIt: 100 }).curve.length, 80 - 10 - 5);
    assert.equal(analyzeLrRangeTest(pointsOf(c)).curve.length, 80 - 8 - 5);
  });

  it('smooth: false reads the losses as they are', () => {
    const points = [3, 2, 1].map((loss, i) => ({ lr: 10 ** -i, loss })).reverse();
    const { curve } = analyzeLrRangeTest(points, { smooth: false, skipEnd: 0 });
    assert.deepEqual(curve.map((p) => p.smoothed), curve.map((p) => p.loss));
  });
});

describe('trustworthy', () => {
  const analyse = (name: string) => analyzeLrRangeTest(pointsOf(curveNamed(name)), { numIt: curveNamed(name).numIt });

  it('a clean valley, a noisy one and a real MLP run are trustworthy', () => {
    for (const name of ['clean_valley', 'noisy', 'real_mlp_sgd']) {
      const got = analyse(name);
      assert.deepEqual(got.reasons, [], name);
      assert.equal(got.trustworthy, true, name);
    }
  });

  it('too few points', () => {
    const got = analyse('divergent_early');
    assert.equal(got.trustworthy, false);
    assert.match(got.reasons.join('\n'), /only 8 usable point\(s\) of 100 .*need at least 20/);
  });

  it('pure noise: no descent, and what fell is within the noise', () => {
    const got = analyse('pure_noise');
    assert.equal(got.trustworthy, false);
    assert.match(got.reasons.join('\n'), /no clear descent/);
  });

  it('a drop within the noise is called noise', () => {
    const seeded = (() => {
      let s = 7;
      return () => ((s = (s * 48271) % 2147483647) / 2147483647 - 0.5) * 2;
    })();
    // A 12% drop (passes minDrop) under noise with σ ≈ 0.35.
    const points = Array.from({ length: 100 }, (_, i) => ({ lr: 10 ** (-7 + i * 0.08), loss: 2 - 0.25 * (i / 99) + 0.6 * seeded() }));
    const got = analyzeLrRangeTest(points);
    assert.match(got.reasons.join('\n'), /mostly noise/);
  });

  it('still falling at the largest lr', () => {
    const got = analyse('still_falling');
    assert.equal(got.trustworthy, false);
    assert.match(got.reasons.join('\n'), /still falling/);
  });

  it('noiseSigma ignores a smooth trend and sees white noise', () => {
    assert.ok(noiseSigma(Array.from({ length: 50 }, (_, i) => 3 - 0.01 * i * i)) < 1e-12);
    // Irwin–Hall: the sum of 12 uniforms minus 6 is close to a standard normal.
    let s = 11;
    const uniform = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
    const normal = (): number => Array.from({ length: 12 }, uniform).reduce((a, b) => a + b) - 6;
    const sigma = noiseSigma(Array.from({ length: 2000 }, (_, i) => 1 - i / 2000 + 0.2 * normal()));
    assert.ok(Math.abs(sigma - 0.2) < 0.02, `estimated σ ${sigma}, true 0.2`);
  });

  it('no points at all', () => {
    const got = analyzeLrRangeTest([]);
    assert.equal(got.trustworthy, false);
    assert.deepEqual(got.suggestions, { valley: null, steep: null, minimum: null, slide: null });
  });
});

describe('analyzeLrRangeTest option and point errors name the field and the value', () => {
  const ok: LrPoint[] = [
    { lr: 1e-4, loss: 1 },
    { lr: 1e-3, loss: 0.9 },
  ];
  const cases: [unknown, unknown, RegExp][] = [
    [ok, { beta: 1 }, /^beta: must be in \[0, 1\) \(got 1\)$/m],
    [ok, { divergeFactor: 1 }, /^divergeFactor: must be greater than 1 \(got 1\)$/m],
    [ok, { numIt: 0 }, /^numIt: must be at least 1 \(got 0\)$/m],
    [ok, { skipEnd: -1 }, /^skipEnd: must be at least 0 \(got -1\)$/m],
    [ok, { minPoints: 2.5 }, /^minPoints: must be a whole number \(got 2.5\)$/m],
    [ok, { minDrop: 0 }, /^minDrop: must be in \(0, 1\) \(got 0\)$/m],
    [ok, { smooth: 'no' }, /^smooth: must be true or false \(got "no"\)$/m],
    [ok, { noiseFactor: -1 }, /^noiseFactor: must not be negative \(got -1\)$/m],
    [ok, { slideLrDiff: 0 }, /^slideLrDiff: must be at least 1 \(got 0\)$/m],
    [ok, { slideThresh: -0.1 }, /^slideThresh: must not be negative \(got -0.1\)$/m],
    [ok, { slideAdjust: 0 }, /^slideAdjust: must be positive \(got 0\)$/m],
    [ok, { factor: 4 }, /^factor: unknown option \(got 4\)$/m],
    [[{ lr: 0, loss: 1 }], {}, /^points\[0\]\.lr: must be positive \(got 0\)$/m],
    [[{ lr: 1, loss: 'x' }], {}, /^points\[0\]\.loss: must be a number \(got "x"\)$/m],
    [[...ok, { lr: 1e-4, loss: 1 }], {}, /^points\[2\]\.lr: must increase \(the previous lr is 0.001\) \(got 0.0001\)$/m],
    ['nope', {}, /^points: must be an array of \{lr, loss\} \(got "nope"\)$/m],
  ];
  for (const [points, options, message] of cases) {
    it(`${JSON.stringify(options)} ${JSON.stringify(points).slice(0, 40)}`, () => {
      assert.throws(
        () => analyzeLrRangeTest(points as LrPoint[], options as object),
        (error: unknown) => error instanceof OptionsError && message.test(error.message),
      );
    });
  }
});

describe('renderLrCurveSvg', () => {
  const analysis = analyzeLrRangeTest(pointsOf(curveNamed('real_mlp_sgd')));

  it('is one standalone SVG element with the curve and every suggestion labelled', () => {
    const svg = renderLrCurveSvg(analysis);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(svg.endsWith('</svg>'));
    assert.equal(svg.match(/<svg/g)?.length, 1);
    assert.equal(svg.match(/<polyline/g)?.length, 2);
    for (const [name, lr] of Object.entries(analysis.suggestions)) {
      assert.ok(svg.includes(`>${name} ${formatLr(lr as number)}</text>`), name);
    }
    assert.match(svg, />1e-3</);
    assert.match(svg, />trustworthy</);
  });

  it('is deterministic', () => {
    assert.equal(renderLrCurveSvg(analysis), renderLrCurveSvg(analysis));
  });

  it('escapes text and lists the reasons', () => {
    const svg = renderLrCurveSvg({ ...analysis, trustworthy: false, reasons: ['loss <0 & "odd"'] });
    assert.match(svg, /loss &lt;0 &amp; &quot;odd&quot;/);
    assert.ok(!svg.includes('<0 &'));
  });

  it('draws a frame with a message when no point survived', () => {
    const svg = renderLrCurveSvg(analyzeLrRangeTest([]));
    assert.match(svg, /no usable points/);
    assert.ok(!svg.includes('NaN'));
  });

  it('never prints NaN coordinates, even for a flat curve', () => {
    const flat = analyzeLrRangeTest(Array.from({ length: 30 }, (_, i) => ({ lr: 10 ** (-5 + i / 10), loss: 1 })));
    assert.ok(!renderLrCurveSvg(flat).includes('NaN'));
  });

  it('formatLr', () => {
    assert.equal(formatLr(0.00123), '1.23e-3');
    assert.equal(formatLr(0.02), '2e-2');
    assert.equal(formatLr(3), '3e0');
  });
});
