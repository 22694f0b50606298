/** Placeholder until the command lands. */
import type { Command } from 'commander';

export function registerDataCheckCommand(_data: Command): void {}
