/**
 * A static reading of Dockerfiles (no image builder runs here): instructions with their continuation lines joined,
 * stages, and the checks the repository's images must pass. Each check returns problems as lines, empty when fine.
 */
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  alias?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? '';
    if (/^\s*(#|$)/.test(logical)) continue;
    while (logical.trimEnd().endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue; // comments inside a continued instruction are dropped, as docker does
      logical = `${logical.trimEnd().slice(0, -1)} ${next.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (!match) continue;
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: start + 1 };
    if (instruction.keyword === 'FROM') {
      const [from = '', as, alias] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ from, alias: as?.toUpperCase() === 'AS' ? alias : undefined, instructions: [] });
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return stages;
}

/** `node:24.11.1-bookworm-slim`, `nvidia/cuda:12.6.3-…` or a digest: an exact release, never `latest` or `node:24`. */
export function checkPinnedBases(stages: Stage[]): string[] {
  const aliases = new Set(stages.map((s) => s.alias).filter((a): a is string => a !== undefined));
  return stages.flatMap(({ from }) => {
    if (aliases.has(from) || from.includes('@sha256:')) return [];
    const tag = from.includes(':') ? from.slice(from.lastIndexOf(':') + 1) : '';
    if (!tag) return [`FROM ${from}: no tag (means latest)`];
    if (/latest/.test(tag)) return [`FROM ${from}: "latest" is not a version`];
    if (!/^v?\d+\.\d+\.\d+/.test(tag)) return [`FROM ${from}: tag "${tag}" is not an exact version (major.minor.patch)`];
    return [];
  });
}

/** The final stage runs as a named or numbered user other than root. */
export function checkNonRoot(stages: Stage[]): string[] {
  const users = stages.at(-1)?.instructions.filter((i) => i.keyword === 'USER') ?? [];
  const last = users.at(-1)?.args.split(':')[0];
  if (last === undefined) return ['the final stage has no USER: it would run as root'];
  return ['root', '0'].includes(last) ? [`USER ${last} is root`] : [];
}

/** Arguments of an exec-form (JSON array) or shell-form instruction. */
function argv(args: string): string[] {
  if (args.startsWith('[')) return (JSON.parse(args) as unknown[]).map(String);
  return args.split(/\s+/);
}

/** Every COPY/ADD source from the build context exists in the repository (context = repository root). */
export function checkCopySources(stages: Stage[], root: string): string[] {
  return stages.flatMap((stage) =>
    stage.instructions
      .filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !/--from=/.test(i.args))
      .flatMap((i) => {
        const parts = argv(i.args.replace(/--\S+\s+/g, '')).slice(0, -1);
        return parts.filter((source) => !existsSync(join(root, source))).map((source) => `line ${i.line}: COPY source ${source} is not in the repository`);
      }),
  );
}

/**
 * The file the image starts (CMD/ENTRYPOINT) comes from the repository: a path under a COPY destination maps back to
 * the copied source; `dist/**.js` is compiled from the `.ts` beside it in the repository.
 */
export function checkEntrypoint(stages: Stage[], root: string): string[] {
  const final = stages.at(-1);
  const start = final?.instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT').at(-1);
  if (!final || !start) return ['no CMD or ENTRYPOINT in the final stage'];
  const workdir = final.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';
  const copies = final.instructions
    .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
    .map((i) => {
      const parts = argv(i.args.replace(/--\S+\s+/g, ''));
      return { sources: parts.slice(0, -1), dest: posix.resolve(workdir, parts.at(-1) ?? '.') };
    });
  const files = argv(start.args).filter((a) => /\.(js|mjs|py|sh)$/.test(a));
  if (files.length === 0) return [`${start.keyword} ${start.args}: names no script file to check`];
  return files.flatMap((file) => {
    const inImage = posix.resolve(workdir, file);
    const relative = posix.relative(workdir, inImage);
    if (relative.startsWith('dist/')) {
      const source = relative.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      return existsSync(join(root, source)) ? [] : [`${file}: compiled from ${source}, which is not in the repository`];
    }
    for (const { sources, dest } of copies) {
      for (const source of sources) {
        const base = source.endsWith('/') ? posix.resolve(dest) : posix.resolve(dest, posix.basename(source));
        if (inImage === base || inImage.startsWith(`${base}/`)) {
          const repoPath = join(root, source, posix.relative(base, inImage));
          return existsSync(repoPath) ? [] : [`${file}: ${repoPath} is not in the repository`];
        }
      }
    }
    return [`${file}: no COPY in the final stage puts it in the image`];
  });
}

/** No ENV or ARG that sets a KEY/SECRET/PASSWORD/TOKEN to a value (credentials come from Secrets at run time). */
export function checkNoSecrets(stages: Stage[]): string[] {
  const secretName = /KEY|SECRET|PASSWORD|TOKEN/i;
  return stages.flatMap((stage) =>
    stage.instructions
      .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
      .flatMap((i) => {
        const pairs = [...i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|\S*)|\s+(.+)$)?/g)];
        return pairs
          .filter(([, name, eqValue, spaceValue]) => secretName.test(name ?? '') && (eqValue ?? spaceValue ?? '').replace(/"/g, '') !== '')
          .map(([, name]) => `line ${i.line}: ${i.keyword} ${name} sets a secret-looking value in the image`);
      }),
  );
}
