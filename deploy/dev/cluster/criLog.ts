/**
 * Container logs in the CRI format a kubelet writes (`<RFC3339Nano> <stdout|stderr> <F|P> <text>` per line): kwok
 * reads its Logs files with the kubelet's own parser, which accepts nothing else.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class CriLogWriter {
  private readonly fd: number;
  private readonly pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private closed = false;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  /** Appends a chunk of a stream; complete lines are written at once, a trailing partial line waits for its end. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    if (this.closed) return;
    const text = this.pending[stream] + chunk.toString();
    const lines = text.split('\n');
    this.pending[stream] = lines.pop() ?? '';
    for (const line of lines) this.line(stream, 'F', line);
  }

  /** Writes what is left of unterminated lines and closes the file. */
  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) if (this.pending[stream]) this.line(stream, 'F', this.pending[stream]);
    this.closed = true;
    closeSync(this.fd);
  }

  private line(stream: 'stdout' | 'stderr', tag: 'F' | 'P', text: string): void {
    writeSync(this.fd, `${new Date().toISOString()} ${stream} ${tag} ${text.replace(/\r$/, '')}\n`);
  }
}
