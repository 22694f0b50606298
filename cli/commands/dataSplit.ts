/** Placeholder until the command lands. */
import type { Command } from 'commander';

export function registerDataSplitCommand(_data: Command): void {}
