/**
 * The Temporal dev server (`temporal server start-dev`): frontend gRPC, Web UI, SQLite persistence in the state folder.
 */
import { mkdirSync } from 'node:fs';
import { SEARCH_ATTRIBUTES } from '../../core/searchAttributes.js';
import { BINARIES, ensureBinary } from './binaries.js';
import { DevError } from './errors.js';
import { runCapture } from './exec.js';
import { httpStatus } from './net.js';
import type { ResolvedDevOptions } from './options.js';
import type { ServiceDef } from './service.js';

/** Keeps our admin calls independent of a user's ~/.config/temporalio profile or TEMPORAL_* variables (TLS, API key). */
const ISOLATED = ['--disable-config-file', '--disable-config-env'];

const binaries = new Map<string, Promise<string>>();
/** Resolved once per process: health probes call it in a loop. */
function temporalBinary(o: ResolvedDevOptions): Promise<string> {
  const key = o.cacheDir ?? '';
  let found = binaries.get(key);
  if (!found) {
    found = ensureBinary('temporal', { cacheDir: o.cacheDir, log: o.log });
    found.catch(() => binaries.delete(key)); // a failed build may be retried
    binaries.set(key, found);
  }
  return found;
}

export function temporalAddress(o: ResolvedDevOptions): string {
  return `${o.host}:${o.temporalPort}`;
}

/** Custom search attributes registered on the namespace, by name → type ('Keyword', 'Double', …). */
export async function listSearchAttributes(binary: string, address: string, namespace: string): Promise<Record<string, string>> {
  const out = await runCapture(binary, ['operator', 'search-attribute', 'list', '--address', address, '-n', namespace, '-o', 'json', ...ISOLATED], {
    timeoutMs: 30_000,
  });
  if (out.code !== 0) throw new DevError(`listing Temporal search attributes at ${address} failed: ${lastLine(out.stderr || out.stdout)}`);
  const parsed = JSON.parse(out.stdout) as { customAttributes?: Record<string, string> };
  const result: Record<string, string> = {};
  for (const [name, type] of Object.entries(parsed.customAttributes ?? {})) result[name] = prettyType(type);
  return result;
}

/** INDEXED_VALUE_TYPE_KEYWORD_LIST → KeywordList (the spelling `--search-attribute` and SEARCH_ATTRIBUTES use). */
function prettyType(type: string): string {
  return type
    .replace(/^INDEXED_VALUE_TYPE_/, '')
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '(no output)';
}

export const temporalService: ServiceDef = {
  name: 'temporal',
  ports: (o) => [
    { port: o.temporalPort, flag: '--temporal-port' },
    { port: o.uiPort, flag: '--ui-port' },
  ],
  async prepare(o, paths) {
    const binary = await temporalBinary(o);
    mkdirSync(paths.temporalDir, { recursive: true });
    const args = [
      'server', 'start-dev',
      '--ip', o.host,
      '--port', String(o.temporalPort),
      '--ui-port', String(o.uiPort),
      '--db-filename', paths.temporalDb,
      '--log-level', 'warn',
      ...(o.namespace === 'default' ? [] : ['--namespace', o.namespace]),
      // Applied only when the SQLite file is created; `configure` adds the ones an older DB lacks.
      ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ];
    return { command: binary, args, env: process.env, version: BINARIES.temporal.version };
  },
  async healthy(o, _paths, record) {
    // The UI first: a cheap HTTP probe, before spawning the CLI for the gRPC health check.
    if ((await httpStatus(`http://${o.host}:${o.uiPort}/`)) !== 200) return false;
    const binary = record.command[0]!; // the running server's own binary: a status check never builds one
    const out = await runCapture(binary, ['operator', 'cluster', 'health', '--address', temporalAddress(o), ...ISOLATED], { timeoutMs: 10_000 });
    return out.code === 0 && out.stdout.includes('SERVING');
  },
  async configure(o) {
    // `start-dev --search-attribute` only registers attributes when the DB file is created (checked: temporal
    // 1.5.1 / server 1.29.1 `createNamespaceIfNotExists`), so attributes added to SEARCH_ATTRIBUTES later are created here.
    const binary = await temporalBinary(o);
    const address = temporalAddress(o);
    const existing = await listSearchAttributes(binary, address, o.namespace);
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      const have = existing[name];
      if (have === type) continue;
      if (have) {
        throw new DevError(
          `search attribute ${name} is registered as ${have} in namespace ${o.namespace} but Gauntlet needs ${type}: ` +
            `delete the state folder's temporal/ DB (loses run history) or rename the attribute`,
        );
      }
      const out = await runCapture(
        binary,
        ['operator', 'search-attribute', 'create', '--address', address, '-n', o.namespace, '--name', name, '--type', type, ...ISOLATED],
        { timeoutMs: 30_000 },
      );
      if (out.code !== 0) throw new DevError(`registering search attribute ${name}=${type} failed: ${lastLine(out.stderr || out.stdout)}`);
      o.log(`registered search attribute ${name} (${type}) on namespace ${o.namespace}`);
    }
  },
  urls: (o) => ({ temporal: temporalAddress(o), ui: `http://${o.host}:${o.uiPort}` }),
};
