/**
 * Progress of a job running elsewhere, read from the store: the trainer rewrites `<prefix>events.jsonl` at every
 * checkpoint, so no decision depends on a log stream staying open.
 */
import { parseProgressLine } from '../../../core/progress.js';
import type { ProgressEvent } from '../../../core/spec/job.js';
import type { ArtifactStore } from '../../store.js';

export class StoredEventsReader {
  constructor(
    private readonly store: ArtifactStore,
    private readonly uri: string,
    /** Events already delivered (carried in heartbeats, so an adopting attempt does not repeat them). */
    public seen = 0,
  ) {}

  /** Events appended since the last call; none when the object does not exist yet. */
  async readNew(): Promise<ProgressEvent[]> {
    if (!(await this.store.exists(this.uri))) return [];
    const lines = (await this.store.getBytes(this.uri)).toString('utf8').split('\n').filter((line) => line.trim() !== '');
    const events = lines.slice(this.seen).map(parseProgressLine).filter((event): event is ProgressEvent => event !== null);
    this.seen = Math.max(this.seen, lines.length);
    return events;
  }

  /** The newest checkpoint any launch of this job reported. */
  async lastCheckpoint(): Promise<string | null> {
    if (!(await this.store.exists(this.uri))) return null;
    let last: string | null = null;
    for (const line of (await this.store.getBytes(this.uri)).toString('utf8').split('\n')) {
      const event = parseProgressLine(line);
      if (event?.event === 'checkpoint') last = event.uri;
    }
    return last;
  }
}
