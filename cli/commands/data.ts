/** `gauntlet data check|split FILE.csv`: the data checks and the group-aware split, on any CSV, without a run. */
import type { Command } from 'commander';
import { registerDataCheckCommand } from './dataCheck.js';
import { registerDataSplitCommand } from './dataSplit.js';

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('check a data set, or split it, without a run');
  registerDataCheckCommand(data);
  registerDataSplitCommand(data);
}
