/**
 * The relative-import graph of the project's TypeScript sources, read with the TypeScript parser (not regexes, so
 * multi-line and `import { type X }` forms are classified right). test/unit/importGraph.test.ts checks it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Repository-relative, `/`-separated paths of .ts files. */
  from: string;
  to: string;
  /** Erased at compile time (`import type`, every binding `type`, `import('…').T`): no runtime arrow. */
  typeOnly: boolean;
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** Every .ts file (not .d.ts) under `dirs`, sorted. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [toPosix(relative(root, path))] : [];
    });
  return dirs.flatMap((dir) => walk(join(root, dir))).sort();
}

function typeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function typeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** Module specifiers of one file with whether each is type-only; npm packages included (the caller filters). */
export function importsOf(fileName: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: typeOnlyImport(node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: typeOnlyExport(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) found.push({ specifier: argument.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));
  return found;
}

/** The arrows between the project's own files: relative specifiers, `.js` mapped back to the `.ts` source. */
export function importEdges(root: string, files: readonly string[]): ImportEdge[] {
  return files.flatMap((from) =>
    importsOf(from, readFileSync(join(root, from), 'utf8'))
      .filter(({ specifier }) => specifier.startsWith('.'))
      .map(({ specifier, typeOnly }) => ({ from, to: posix.normalize(posix.join(dirname(from), specifier)).replace(/\.js$/, '.ts'), typeOnly })),
  );
}

/** Strongly connected components with more than one file (or a file importing itself), each sorted; Tarjan's. */
export function cycleGroups(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      group.push(w);
    }
    if (group.length > 1 || (next.get(v) ?? []).includes(v)) groups.push(group.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);
  return groups.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** One shortest cycle through the group's first file, as `a -> b -> a`, for the failure message. */
export function cyclePath(group: readonly string[], edges: readonly ImportEdge[]): string {
  const members = new Set(group);
  const start = group[0] ?? '';
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const v = queue[i] ?? '';
    for (const { from, to } of edges) {
      if (from !== v || !members.has(to) || cameFrom.has(to)) continue;
      cameFrom.set(to, v);
      if (to === start) {
        const path = [start];
        for (let at = v; at !== start; at = cameFrom.get(at) ?? start) path.unshift(at);
        return [start, ...path].join(' -> ');
      }
      queue.push(to);
    }
  }
  return group.join(', ');
}
