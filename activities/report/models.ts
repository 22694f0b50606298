/**
 * The models section of a chain (`models:`): read from the manifest's `models` (each model's metrics and hand-off,
 * each hand-off's attribution) and the stored spec (label columns, who reads whom). A run of one model has no
 * `models` and gets no section; a malformed one throws, which the caller turns into a note.
 */
import type { z } from 'zod';
import type { ChainAttribution, ChainModel, ModelsSection } from '../../core/report/types.js';
import type { ReportContext } from './context.js';
import { ChainSpecView, ModelsView } from './schemas.js';

function parse<T>(what: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`${what}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'unexpected shape'}`);
}

/** The chain as the stored spec declares it, or an empty one when the spec does not say (older or odd manifests). */
export function chainSpec(ctx: Pick<ReportContext, 'manifest'>): ChainSpecView {
  const parsed = ChainSpecView.safeParse(ctx.manifest.spec);
  return parsed.success ? parsed.data : {};
}

const finite = (value: number | null | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function modelsSection(ctx: ReportContext): ModelsSection | undefined {
  if (ctx.manifest.models === undefined || ctx.manifest.models === null) return undefined;
  const recorded = parse('the manifest\'s models', ModelsView, ctx.manifest.models);
  const spec = chainSpec(ctx);
  // Training order: the manifest lists results in the order the models ran; models only the spec names go last.
  const names = [...new Set([...Object.keys(recorded.results), ...Object.keys(spec.models ?? {})])];
  const models = names.map((name): ChainModel => {
    const result = recorded.results[name];
    const declared = spec.models?.[name];
    const from = declared?.inputs?.from;
    const as = declared?.inputs?.as;
    const metrics = result?.metrics ?? {};
    return {
      name,
      labelColumn: declared?.labelColumn ?? null,
      input: from && as ? { from, as } : null,
      testAccuracy: finite(metrics.test_accuracy),
      outOfFoldAccuracy: finite(result?.outOfFold?.accuracy ?? metrics.oof_accuracy),
      oracleAccuracy: finite(metrics.oracle_accuracy),
      handoff: result?.handoff ? { counts: result.handoff.counts, outOfFoldChecked: result.handoff.outOfFoldChecked } : null,
    };
  });
  const attribution = recorded.attribution.map(
    (entry): ChainAttribution => ({
      upstream: entry.upstream,
      downstream: entry.downstream,
      n: entry.n,
      correct: entry.correct,
      stage1: entry.stage1,
      stage2: entry.stage2,
      accuracy: { estimate: entry.accuracy.estimate, low: entry.accuracy.low, high: entry.accuracy.high },
      upperBound: finite(recorded.results[entry.downstream]?.metrics.oracle_accuracy),
    }),
  );
  return { handoff: recorded.handoff, confidence: spec.evaluate?.confidence ?? 0.95, models, attribution };
}
