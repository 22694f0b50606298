/**
 * Reads a growing log file from a byte offset and yields complete lines. The offset is what a retried activity
 * carries in its heartbeat, so an adopted job's progress continues where the dead worker stopped reading.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export class LineReader {
  private pending = '';

  constructor(
    private readonly path: string,
    /** Offset of the first byte not yet turned into a complete line. */
    public offset = 0,
  ) {}

  /** Complete lines appended since the last call. */
  readLines(): string[] {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return [];
    }
    const start = this.offset + Buffer.byteLength(this.pending);
    if (size <= start) return [];
    const buffer = Buffer.alloc(size - start);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    const text = this.pending + buffer.toString('utf8');
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    this.offset += Buffer.byteLength(text) - Buffer.byteLength(this.pending);
    return lines;
  }
}

/** The last `count` lines of a file, for error messages. */
export function tailLines(path: string, count: number): string[] {
  try {
    const size = statSync(path).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8').split('\n').filter((line) => line.trim() !== '').slice(-count);
  } catch {
    return [];
  }
}
