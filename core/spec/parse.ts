/**
 * Parses pipeline YAML text into a validated spec, collecting every problem (YAML syntax and schema) at once.
 * Pure: the caller reads the file.
 */
import { LineCounter, parseDocument } from 'yaml';
import { PipelineSpec } from './pipeline.js';
import { problemsFromZod, SpecError, type SpecProblem } from './issues.js';

export type ParseResult = { ok: true; spec: PipelineSpec } | { ok: false; problems: SpecProblem[] };

export function parsePipelineYaml(text: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: `line ${line}, column ${col}`, message: error.message.split('\n')[0] ?? error.message };
      }),
    };
  }
  return validatePipeline(doc.toJS());
}

export function validatePipeline(value: unknown): ParseResult {
  const parsed = PipelineSpec.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, spec: parsed.data };
  return { ok: false, problems: problemsFromZod(parsed.error) };
}

/** Same as parsePipelineYaml, but throws a SpecError naming the file. */
export function loadPipelineYaml(text: string, file?: string): PipelineSpec {
  const result = parsePipelineYaml(text);
  if (!result.ok) throw new SpecError(result.problems, file);
  return result.spec;
}
