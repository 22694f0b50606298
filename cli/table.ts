/** Tables for the terminal: colours only when a person is looking (a TTY), plain text in pipes, logs and CI. */
import Table from 'cli-table3';

export function newTable(options: ConstructorParameters<typeof Table>[0] = {}): InstanceType<typeof Table> {
  const plain = !process.stdout.isTTY;
  return new Table({ ...options, ...(plain ? { style: { head: [], border: [] } } : {}) });
}
