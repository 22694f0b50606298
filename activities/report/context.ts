/**
 * What every part of the collector shares: the store, the parsed manifest and spec, reads checked by zod, and the
 * notes that say what could not be shown. A missing or malformed artifact costs its section, never the report;
 * an unreachable store is an outage and propagates (the activity is retried, the CLI says so).
 */
import type { z } from 'zod';
import { InfrastructureError } from '../infrastructure.js';
import { parseS3Uri, type ArtifactStore } from '../store.js';
import type { Manifest, SpecView } from './schemas.js';

export interface ReportContext {
  store: ArtifactStore;
  runId: string;
  manifest: Manifest;
  spec: SpecView;
  notes: string[];
}

/** Reads and parses a JSON artifact; the error names the URI and the first problem's path. */
export async function readJson<T>(ctx: Pick<ReportContext, 'store'>, uri: string, schema: z.ZodType<T>): Promise<T> {
  const text = (await ctx.store.getBytes(uri)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${uri} is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${uri}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'}`);
  }
  return parsed.data;
}

export async function readText(ctx: Pick<ReportContext, 'store'>, uri: string): Promise<string> {
  return (await ctx.store.getBytes(uri)).toString('utf8');
}

/** Whether an object exists; a malformed URI counts as absent. */
export async function exists(ctx: Pick<ReportContext, 'store'>, uri: string): Promise<boolean> {
  try {
    parseS3Uri(uri);
  } catch {
    return false;
  }
  return ctx.store.exists(uri);
}

/** Runs one part of the collection; a failure becomes a note naming the part, except an outage, which propagates. */
export async function attempt<T>(ctx: Pick<ReportContext, 'notes'>, part: string, collect: () => Promise<T>): Promise<T | undefined> {
  try {
    return await collect();
  } catch (error) {
    if (error instanceof InfrastructureError) throw error;
    ctx.notes.push(`${part}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return undefined;
  }
}

/** The folder of an object: `s3://b/runs/x/train/result.json` → `s3://b/runs/x/train/`. */
export function folderOf(uri: string): string {
  return uri.slice(0, uri.lastIndexOf('/') + 1);
}
