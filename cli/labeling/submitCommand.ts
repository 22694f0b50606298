/** The command a person runs to hand in a labeled batch; the sheet shows it and `label pull` can print the same line. */

/** One shell word: plain when it is obviously safe, single-quoted otherwise (an annotator "o'neil" or "ann lee"). */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_.,:/=+@%-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function submitCommand(run: string, batch: number, annotator: string, labelsFile = 'labels.csv'): string {
  return ['gauntlet', 'label', 'submit', shellWord(run), String(batch), shellWord(labelsFile), '--annotator', shellWord(annotator)].join(' ');
}
