#!/usr/bin/env node
// Entry point: the CLI is compiled to dist/ by `npm run build`, and runs on the project's pinned Node.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensurePinnedNode } from '../scripts/node.mjs';

await ensurePinnedNode();
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('error: gauntlet is not built yet: run `npm run build` in the repository');
  process.exit(2);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// Some commands set process.exitCode themselves (e.g. `dev status` when a service is down): keep theirs.
if (code !== 0) process.exitCode = code;
