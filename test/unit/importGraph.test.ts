/**
 * The layering of the sources, as arrows between top-level folders: no import cycles, and nothing imports "upward"
 * (core is pure; workflows stay deterministic, so they take only types from activities). Known violations in files
 * other people own are allow-listed below with the reason; an entry that no longer matches fails, so the lists shrink.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cycleGroups, cyclePath, importEdges, sourceFiles, type ImportEdge } from '../support/importGraph.js';
import { repoRoot } from '../support/paths.js';

const LAYERS = ['core', 'config', 'contracts', 'workflows', 'activities', 'cli', 'worker', 'deploy'] as const;
type Layer = (typeof LAYERS)[number];

/** Why an arrow from one layer to another is forbidden, or undefined when it is allowed. */
function forbidden(from: Layer, to: string, typeOnly: boolean): string | undefined {
  if (from === 'core' && to !== 'core') return 'core/ imports only core/';
  if (from === 'config' && to !== 'core' && to !== 'config') return 'config/ (settings shared by the worker and the CLI) imports only core/ and config/';
  if (from === 'contracts' && to !== 'core' && to !== 'contracts') return 'contracts/ imports only core/ and contracts/';
  if (from === 'workflows' && (to === 'cli' || to === 'worker' || to === 'deploy')) return `workflows/ imports nothing from ${to}/`;
  if (from === 'workflows' && to === 'activities' && !typeOnly) return 'workflows/ take only types from activities/ (proxyActivities)';
  if (from === 'activities' && to === 'cli') return 'activities/ import nothing from cli/';
  if (from === 'activities' && to === 'workflows' && !typeOnly) return 'activities/ take only types from workflows/';
  if (from === 'cli' && to === 'workflows' && !typeOnly) return 'cli/ takes only types from workflows/ (it starts them by name)';
  return undefined;
}

/** Existing upward arrows, each `from -> to` with why it is still here. */
const ALLOWED_ARROWS: Record<string, string> = {};

/** Existing cycles, each as its sorted files joined by ", ", with the edit that breaks it. */
const ALLOWED_CYCLES: Record<string, string> = {};

const layerOf = (path: string): string => path.split('/')[0] ?? '';
const arrow = (edge: ImportEdge): string => `${edge.from} -> ${edge.to}`;

describe('import graph', () => {
  const files = sourceFiles(repoRoot, LAYERS);
  const edges = importEdges(repoRoot, files);

  test('reads every source file and resolves every relative import', () => {
    assert.ok(files.length > 100, `only ${files.length} files found`);
    const missing = edges.filter((edge) => !existsSync(join(repoRoot, edge.to))).map(arrow);
    assert.deepEqual(missing, [], 'imports that resolve to no .ts file (is the resolution in test/support/importGraph.ts right?)');
  });

  test('no import cycles', () => {
    const cycles = cycleGroups(edges).filter((group) => !(group.join(', ') in ALLOWED_CYCLES));
    assert.deepEqual(cycles.map((group) => cyclePath(group, edges)), [], 'import cycles');
  });

  test('no upward arrows between layers', () => {
    const upward = edges.flatMap((edge) => {
      const why = forbidden(layerOf(edge.from) as Layer, layerOf(edge.to), edge.typeOnly);
      return why && !(arrow(edge) in ALLOWED_ARROWS) ? [`${arrow(edge)}${edge.typeOnly ? ' (type)' : ''}: ${why}`] : [];
    });
    assert.deepEqual(upward, [], 'imports against the layering');
  });

  test('every allow-list entry is still needed (delete the ones that are fixed)', () => {
    const cycles = new Set(cycleGroups(edges).map((group) => group.join(', ')));
    assert.deepEqual(Object.keys(ALLOWED_CYCLES).filter((key) => !cycles.has(key)), [], 'cycles that are gone');
    const arrows = new Set(edges.filter((edge) => forbidden(layerOf(edge.from) as Layer, layerOf(edge.to), edge.typeOnly)).map(arrow));
    assert.deepEqual(Object.keys(ALLOWED_ARROWS).filter((key) => !arrows.has(key)), [], 'upward arrows that are gone');
  });
});
