/**
 * A rating the statistics cannot use. It carries the rating's index so that a caller reading a file can point at
 * the row (`row 14: ...`) rather than at an index the user never saw.
 */
export type AgreementProblem = 'empty' | 'not-a-number' | 'duplicate';

export class AgreementInputError extends Error {
  constructor(
    /** What is wrong with the rating, without where it is: `label "abc" is not a number`. */
    readonly problem: string,
    readonly kind: AgreementProblem,
    /** Index of the offending rating in the input array. */
    readonly index: number,
    readonly field: 'item' | 'annotator' | 'label',
    readonly value: string,
    /** For a duplicate: the index of the annotator's first rating of the item. */
    readonly firstIndex?: number,
  ) {
    super(`rating ${index}: ${problem}${firstIndex === undefined ? '' : ` (first at rating ${firstIndex})`}`);
    this.name = 'AgreementInputError';
  }
}
