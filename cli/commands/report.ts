/**
 * `gauntlet report RUN [--out FILE] [--rebuild] [--open]`: the run's report as one HTML page, read from the store
 * alone (no Temporal needed): the stored `runs/<run>/report.html`, or, with --rebuild or when none is stored, made
 * afresh from the manifest and artifacts (and not written back: this command only reads the store).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BadManifestError, collectReportData, NoManifestError, reportKey } from '../../activities/report/index.js';
import { InfrastructureError } from '../../activities/infrastructure.js';
import type { ArtifactStore } from '../../activities/store.js';
import { presentSections, renderReport, REPORT_SECTIONS } from '../../core/report/page.js';
import { CliError, ExitCode } from '../errors.js';
import { cliStore } from '../store.js';

interface ReportOptions {
  out?: string;
  rebuild?: boolean;
  open?: boolean;
}

/** The page, stored or made now, and what it holds (sections are only known for a page made now). */
async function reportHtml(store: ArtifactStore, runId: string, rebuild: boolean): Promise<{ html: string; source: string; sections: string[] | null; notes: string[] }> {
  const stored = store.uri(reportKey(runId));
  if (!rebuild && (await store.exists(stored))) return { html: (await store.getBytes(stored)).toString('utf8'), source: stored, sections: null, notes: [] };
  const data = await collectReportData(store, runId);
  const titles = new Map<string, string>(REPORT_SECTIONS);
  return { html: renderReport(data), source: 'the run\'s manifest and artifacts', sections: presentSections(data).map((id) => titles.get(id) ?? id), notes: data.notes ?? [] };
}

/** The first executable `name` on PATH, or null. */
function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Opens the file in the desktop's browser when xdg-open exists; never fails the command. */
function openInBrowser(file: string): string {
  const opener = onPath('xdg-open');
  if (!opener) return `no xdg-open on PATH: open ${file} in a browser`;
  try {
    const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return `opening ${file}`;
  } catch (error) {
    return `could not run xdg-open (${(error as Error).message}): open ${file} in a browser`;
  }
}

export async function reportCommand(runId: string, options: ReportOptions, store: ArtifactStore = cliStore()): Promise<string> {
  let made;
  try {
    made = await reportHtml(store, runId, options.rebuild === true);
  } catch (error) {
    if (error instanceof NoManifestError) throw new CliError(error.message, ExitCode.BadInput);
    if (error instanceof BadManifestError) throw new CliError(`the run's manifest cannot be read: ${error.message}`, ExitCode.Failed);
    if (error instanceof InfrastructureError) {
      throw new CliError(`cannot read the store: ${error.message} (is MinIO up? \`gauntlet dev up\`, or set GAUNTLET_STORAGE_* as for the worker)`, ExitCode.Unavailable);
    }
    throw error;
  }
  const out = resolve(options.out ?? `report-${runId}.html`);
  try {
    writeFileSync(out, made.html);
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`, ExitCode.Failed);
  }
  const lines = [`wrote ${out} (${Math.round(made.html.length / 1024)} KiB) from ${made.source}`];
  if (made.sections) lines.push(`sections: ${made.sections.join(', ')}`);
  for (const note of made.notes) lines.push(`left out: ${note}`);
  if (options.open) lines.push(openInBrowser(out));
  return lines.join('\n');
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write a run\'s report: one self-contained HTML page (data, splits, gates, LR test, schedule, curves, sweep, evaluation)')
    .argument('<run>', 'run id, e.g. digits-20261126T124500Z')
    .option('--out <file>', 'where to write it (default: ./report-<run>.html)')
    .option('--rebuild', 'make it afresh from the run\'s manifest and artifacts instead of downloading the stored one')
    .option('--open', 'open it in the browser (xdg-open) when one is available')
    .action(async (runId: string, options: ReportOptions) => {
      console.log(await reportCommand(runId, options));
    });
}
