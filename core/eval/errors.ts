/**
 * Input the evaluation statistics cannot use: a label outside the declared classes, a probability row of the wrong
 * width, ids that do not match. The message says what and where (row index or id), so a caller reading files can
 * point at the line; `index` is the position in the input arrays when there is one.
 */
export class EvalInputError extends Error {
  constructor(
    message: string,
    readonly index?: number,
  ) {
    super(message);
    this.name = 'EvalInputError';
  }
}
