/** `gauntlet validate FILE`: exit 0, or exit 2 printing every problem as `path: message (got VALUE)`. */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { formatProblem } from '../../core/spec/issues.js';
import { parsePipelineYaml } from '../../core/spec/parse.js';
import type { PipelineSpec } from '../../core/spec/pipeline.js';
import { CliError, ExitCode } from '../errors.js';

export async function readPipelineFile(file: string): Promise<PipelineSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, ExitCode.BadInput);
  }
  const result = parsePipelineYaml(text);
  if (!result.ok) {
    throw new CliError(`${file}: ${result.problems.length} problem(s)`, ExitCode.BadInput, result.problems.map(formatProblem));
  }
  return result.spec;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a pipeline file; exit 2 listing every problem')
    .argument('<file>', 'pipeline YAML')
    .action(async (file: string) => {
      const spec = await readPipelineFile(file);
      console.log(`${file}: ok (pipeline ${spec.name})`);
    });
}
