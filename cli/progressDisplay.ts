/**
 * Live progress of a run: on a terminal, a bar over the stages with the current stage's detail; elsewhere
 * (logs, CI), one line each time a stage's detail changes.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { RunProgress } from '../core/progress.js';

export interface ProgressDisplay {
  update(progress: RunProgress): void;
  stop(): void;
}

export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  return stream.isTTY ? new BarDisplay(stream) : new LineDisplay(stream);
}

function currentLine(progress: RunProgress): { index: number; total: number; text: string } {
  const index = Math.max(0, progress.stages.findIndex((stage) => stage.stage === progress.stage));
  const stage = progress.stages[index];
  const epochs = stage?.epoch !== undefined && stage.totalEpochs ? ` [${stage.epoch}/${stage.totalEpochs}]` : '';
  return { index, total: progress.stages.length, text: `${progress.stage}${epochs}${stage?.detail ? ` · ${stage.detail}` : ''}${stage?.retrying ? ` · retrying: ${stage.retrying}` : ''}` };
}

class BarDisplay implements ProgressDisplay {
  private readonly bar: SingleBar;
  private started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new SingleBar(
      { format: ' {bar} stage {value}/{total} · {text}', stream, hideCursor: true, clearOnComplete: false },
      Presets.shades_classic,
    );
  }

  update(progress: RunProgress): void {
    const { index, total, text } = currentLine(progress);
    const done = progress.stages.filter((stage) => stage.status === 'succeeded').length;
    if (!this.started) {
      this.bar.start(total, done, { text });
      this.started = true;
    }
    this.bar.update(Math.max(done, index), { text });
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class LineDisplay implements ProgressDisplay {
  private last = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(progress: RunProgress): void {
    const { index, total, text } = currentLine(progress);
    const line = `[${index + 1}/${total}] ${text}`;
    if (line !== this.last) this.stream.write(`${line}\n`);
    this.last = line;
  }

  stop(): void {}
}
