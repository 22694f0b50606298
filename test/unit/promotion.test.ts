/** The promotion rule (core/registry/promotion.ts), branch by branch, with the numbers its reasons must carry. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decidePromotion, type Challenger, type PromotionInput } from '../../core/registry/promotion.js';
import type { ChampionRecord, Headline, PromotionRule } from '../../core/registry/schemas.js';

const SAME = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

function champion(headline: Partial<Headline> = {}, testSetSha256 = SAME): ChampionRecord {
  return {
    pipeline: 'digits',
    runId: 'digits-20260101T000000Z',
    checkpoint: 's3://gauntlet/runs/digits-20260101T000000Z/train/checkpoints/epoch-0020.pt',
    metrics: { test_accuracy: { estimate: 0.94, low: 0.91, high: 0.96, method: 'wilson' } },
    headline: { name: 'test_accuracy', estimate: 0.94, low: 0.91, high: 0.96, higherIsBetter: true, ...headline },
    testSetSha256,
    predictionsUri: null,
    manifestUri: null,
    promotedAt: '2026-01-01T01:00:00.000Z',
    promotedBy: 'rule',
    reason: 'no champion yet',
  };
}

function challenger(headline: Partial<Headline> = {}, extra: Partial<Challenger> = {}): Challenger {
  return {
    runId: 'digits-20260102T000000Z',
    headline: { name: 'test_accuracy', estimate: 0.97, low: 0.95, high: 0.985, higherIsBetter: true, ...headline },
    testSetHash: SAME,
    ...extra,
  };
}

const rule = (when: PromotionRule['when'], more: Partial<PromotionRule> = {}): PromotionInput['rule'] => ({ when, alpha: 0.05, minImprovement: 0, ...more });

describe('promotion: the first model', () => {
  test('GIVEN no champion WHEN any automatic rule decides THEN the challenger becomes the first champion', () => {
    for (const when of ['lowerBound', 'mcnemar', 'always'] as const) {
      const decision = decidePromotion({ rule: rule(when), challenger: challenger(), champion: null });
      assert.equal(decision.promote, true, when);
      assert.equal(decision.verdict, 'no-champion-promoted');
      assert.match(decision.reasons[0] ?? '', /no champion yet: digits-20260102T000000Z becomes the first \(test_accuracy 0\.97\)/);
    }
  });
  test('GIVEN no champion and promote: manual THEN it waits for a person, naming the command', () => {
    const decision = decidePromotion({ rule: rule('manual'), challenger: challenger(), champion: null });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'waiting-for-approval']);
    assert.match(decision.reasons.join('\n'), /gauntlet models promote digits-20260102T000000Z/);
  });
});

describe('promotion: comparable only on the same test set and metric', () => {
  test('GIVEN different test-set hashes WHEN lowerBound or mcnemar decides THEN not comparable, not promoted, both hashes named', () => {
    for (const when of ['lowerBound', 'mcnemar'] as const) {
      const decision = decidePromotion({ rule: rule(when), challenger: challenger({}, { mcnemar: { b: 30, c: 2, pValue: 1e-6 } }), champion: champion({}, OTHER) });
      assert.deepEqual([decision.promote, decision.verdict], [false, 'not-comparable'], when);
      assert.match(decision.reasons[0] ?? '', /test sets differ \(challenger aaaaaaaaaaaa…, champion digits-20260101T000000Z bbbbbbbbbbbb…\)/);
    }
  });
  test('GIVEN different test sets WHEN promote: always THEN it promotes anyway and says they were not comparable', () => {
    const decision = decidePromotion({ rule: rule('always'), challenger: challenger(), champion: champion({}, OTHER) });
    assert.deepEqual([decision.promote, decision.verdict], [true, 'promoted']);
    assert.match(decision.reasons.join('\n'), /promote: always[\s\S]*not comparable: the test sets differ/);
  });
  test('GIVEN different test sets WHEN promote: manual THEN it waits, saying the numbers do not compare', () => {
    const decision = decidePromotion({ rule: rule('manual'), challenger: challenger(), champion: champion({}, OTHER) });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'waiting-for-approval']);
    assert.match(decision.reasons.join('\n'), /test sets differ/);
  });
  test('GIVEN a champion measured on another headline metric THEN not comparable', () => {
    const decision = decidePromotion({ rule: rule('lowerBound'), challenger: challenger(), champion: champion({ name: 'test_macroF1' }) });
    assert.equal(decision.verdict, 'not-comparable');
    assert.match(decision.reasons[0] ?? '', /headline metrics differ \(challenger test_accuracy, champion test_macroF1\)/);
  });
  test('GIVEN the champion itself as challenger THEN kept', () => {
    const decision = decidePromotion({ rule: rule('always'), challenger: challenger({}, { runId: 'digits-20260101T000000Z' }), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'kept']);
  });
  test('GIVEN a challenger whose headline is not a number THEN kept, saying so', () => {
    const decision = decidePromotion({ rule: rule('always'), challenger: challenger({ estimate: Number.NaN }), champion: null });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'kept']);
    assert.match(decision.reasons[0] ?? '', /not a number/);
  });
});

describe('promotion: lowerBound', () => {
  test('GIVEN the challenger\'s interval low end above the champion\'s estimate THEN promoted, with both numbers', () => {
    const decision = decidePromotion({ rule: rule('lowerBound'), challenger: challenger({ low: 0.95 }), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [true, 'promoted']);
    assert.match(decision.reasons.join('\n'), /test_accuracy: challenger 0\.97 \[0\.95, 0\.985\] vs champion digits-20260101T000000Z 0\.94/);
    assert.match(decision.reasons.join('\n'), /interval lower bound 0\.95 > champion 0\.94 \+ minImprovement 0 = 0\.94/);
  });
  test('GIVEN a better estimate but an interval that reaches below the champion THEN kept', () => {
    const decision = decidePromotion({ rule: rule('lowerBound'), challenger: challenger({ estimate: 0.95, low: 0.93 }), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'kept']);
    assert.match(decision.reasons.join('\n'), /interval lower bound 0\.93 is not > champion 0\.94/);
  });
  test('GIVEN a low end exactly at the champion\'s estimate THEN kept (strictly above)', () => {
    assert.equal(decidePromotion({ rule: rule('lowerBound'), challenger: challenger({ low: 0.94 }), champion: champion() }).promote, false);
  });
  test('GIVEN minImprovement 0.02 WHEN the low end clears the champion by 0.01 only THEN kept; by 0.03 THEN promoted', () => {
    const minImprovement = 0.02;
    const short = decidePromotion({ rule: rule('lowerBound', { minImprovement }), challenger: challenger({ low: 0.95 }), champion: champion() });
    assert.equal(short.promote, false);
    assert.match(short.reasons.join('\n'), /0\.95 is not > champion 0\.94 \+ minImprovement 0\.02 = 0\.96/);
    assert.equal(decidePromotion({ rule: rule('lowerBound', { minImprovement }), challenger: challenger({ low: 0.97 }), champion: champion() }).promote, true);
  });
  test('GIVEN a lower-is-better metric (logLoss) THEN the interval\'s upper end must fall below the champion\'s estimate', () => {
    const loss = { name: 'test_logLoss', higherIsBetter: false };
    const best = champion({ ...loss, estimate: 0.3, low: 0.25, high: 0.35 });
    const better = decidePromotion({ rule: rule('lowerBound'), challenger: challenger({ ...loss, estimate: 0.2, low: 0.17, high: 0.24 }), champion: best });
    assert.deepEqual([better.promote, better.verdict], [true, 'promoted']);
    assert.match(better.reasons.join('\n'), /lower is better; improvement 0\.1\)/);
    assert.match(better.reasons.join('\n'), /interval upper bound 0\.24 < champion 0\.3 − minImprovement 0 = 0\.3/);
    const overlapping = decidePromotion({ rule: rule('lowerBound'), challenger: challenger({ ...loss, estimate: 0.25, low: 0.2, high: 0.31 }), champion: best });
    assert.equal(overlapping.promote, false);
    // A higher loss is worse even when its numbers are "bigger".
    const worse = decidePromotion({ rule: rule('lowerBound'), challenger: challenger({ ...loss, estimate: 0.5, low: 0.45, high: 0.55 }), champion: best });
    assert.equal(worse.promote, false);
    assert.match(worse.reasons.join('\n'), /improvement -0\.2/);
    const withMargin = decidePromotion({ rule: rule('lowerBound', { minImprovement: 0.1 }), challenger: challenger({ ...loss, estimate: 0.2, low: 0.17, high: 0.24 }), champion: best });
    assert.equal(withMargin.promote, false, '0.24 is not below 0.3 − 0.1 = 0.2');
  });
  test('GIVEN a challenger without an interval THEN kept: lowerBound needs one', () => {
    const decision = decidePromotion({ rule: rule('lowerBound'), challenger: challenger({ low: null, high: null }), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'kept']);
    assert.match(decision.reasons.join('\n'), /needs the challenger's interval/);
  });
});

describe('promotion: mcnemar', () => {
  const significant = { b: 30, c: 10, pValue: 0.0022 };
  test('GIVEN p < alpha, b > c and an improvement THEN promoted, with p, alpha, b, c in the reasons', () => {
    const decision = decidePromotion({ rule: rule('mcnemar'), challenger: challenger({}, { mcnemar: significant }), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [true, 'promoted']);
    const text = decision.reasons.join('\n');
    assert.match(text, /McNemar p = 0\.0022 < alpha 0\.05/);
    assert.match(text, /b = 30 only the challenger gets right, c = 10 only the champion gets right \(b > c\)/);
    assert.match(text, /improvement 0\.03 ≥ minImprovement 0/);
  });
  test('GIVEN p ≥ alpha THEN kept', () => {
    const decision = decidePromotion({ rule: rule('mcnemar'), challenger: challenger({}, { mcnemar: { b: 12, c: 8, pValue: 0.5034 } }), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'kept']);
    assert.match(decision.reasons.join('\n'), /p = 0\.5034 ≥ alpha 0\.05/);
  });
  test('GIVEN a significant difference the champion\'s way (b < c) THEN kept', () => {
    const decision = decidePromotion({ rule: rule('mcnemar'), challenger: challenger({ estimate: 0.9 }, { mcnemar: { b: 5, c: 30, pValue: 1e-5 } }), champion: champion() });
    assert.equal(decision.promote, false);
    assert.match(decision.reasons.join('\n'), /b ≤ c/);
  });
  test('GIVEN a significant win smaller than minImprovement THEN kept', () => {
    const decision = decidePromotion({ rule: rule('mcnemar', { minImprovement: 0.05 }), challenger: challenger({}, { mcnemar: significant }), champion: champion() });
    assert.equal(decision.promote, false);
    assert.match(decision.reasons.join('\n'), /improvement 0\.03 < minImprovement 0\.05/);
  });
  test('GIVEN a stricter alpha THEN the same p no longer promotes', () => {
    assert.equal(decidePromotion({ rule: rule('mcnemar', { alpha: 0.001 }), challenger: challenger({}, { mcnemar: significant }), champion: champion() }).promote, false);
  });
  test('GIVEN no McNemar test (no paired predictions) THEN kept, saying what is missing', () => {
    const decision = decidePromotion({ rule: rule('mcnemar'), challenger: challenger(), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'kept']);
    assert.match(decision.reasons.join('\n'), /needs a McNemar test/);
  });
  test('GIVEN a lower-is-better headline THEN improvement counts a lower value as better', () => {
    const loss = { name: 'test_logLoss', higherIsBetter: false };
    const decision = decidePromotion({
      rule: rule('mcnemar', { minImprovement: 0.05 }),
      challenger: challenger({ ...loss, estimate: 0.2 }, { mcnemar: significant }),
      champion: champion({ ...loss, estimate: 0.3 }),
    });
    assert.equal(decision.promote, true);
    assert.match(decision.reasons.join('\n'), /improvement 0\.1 ≥ minImprovement 0\.05/);
  });
});

describe('promotion: always and manual with a comparable champion', () => {
  test('GIVEN promote: always and a worse challenger THEN promoted (the rule says always), the numbers recorded', () => {
    const decision = decidePromotion({ rule: rule('always'), challenger: challenger({ estimate: 0.9 }), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [true, 'promoted']);
    assert.match(decision.reasons.join('\n'), /challenger 0\.9 .* vs champion digits-20260101T000000Z 0\.94/);
  });
  test('GIVEN promote: manual and a better challenger THEN waiting for approval', () => {
    const decision = decidePromotion({ rule: rule('manual'), challenger: challenger(), champion: champion() });
    assert.deepEqual([decision.promote, decision.verdict], [false, 'waiting-for-approval']);
  });
});
