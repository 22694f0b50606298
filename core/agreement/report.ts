/** The whole agreement report for a set of ratings: one JSON-ready object, null wherever a statistic is undefined. */
import { pairwiseKappas, type PairKappa } from './cohen.js';
import { disagreementMatrix, type DisagreementMatrix } from './disagreement.js';
import { fleissKappa } from './fleiss.js';
import { krippendorffAlpha } from './krippendorff.js';
import { mostDisputed, percentAgreement, type DisputedItem } from './percent.js';
import { tabulate, type Level, type Rating } from './ratings.js';

export interface AgreementReport {
  items: number;
  annotators: number;
  ratings: number;
  percentAgreement: number | null;
  krippendorffAlpha: number | null;
  fleissKappa: number | null;
  cohenKappa: PairKappa[];
  disagreement: DisagreementMatrix;
  mostDisputed: DisputedItem[];
}

/** Throws AgreementInputError for a rating it cannot use (see ratings.ts). */
export function agreementReport(ratings: readonly Rating[], level: Level): AgreementReport {
  const table = tabulate(ratings, level);
  return {
    items: table.items.length,
    annotators: table.annotators.length,
    ratings: table.count,
    percentAgreement: percentAgreement(table),
    krippendorffAlpha: krippendorffAlpha(table),
    fleissKappa: fleissKappa(table),
    cohenKappa: pairwiseKappas(table),
    disagreement: disagreementMatrix(table),
    mostDisputed: mostDisputed(table),
  };
}
