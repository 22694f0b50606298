/**
 * The hand-over's state goes through the store in chunks: one payload could not hold a 10,000-trial sweep's state,
 * and one workflow task's commands must stay under gRPC's 4 MB message limit.
 */
import type { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { CarryPointer, SweepCarry } from '../../contracts/sweep.js';

type Quick = ReturnType<typeof proxyActivities<Activities>>;

/** Characters per carried-state chunk: below Temporal's 512 KB payload warning. */
const CARRY_CHUNK = 256 * 1024;
/** Chunks written per workflow task (4 × 256 KiB: far below gRPC's 4 MB limit on a task's commands). */
const CARRY_CHUNKS_PER_TASK = 4;

export async function saveCarry(quick: Quick, state: SweepCarry, prefix: string, nextRun: number): Promise<CarryPointer> {
  const text = JSON.stringify(state);
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += CARRY_CHUNK) chunks.push(text.slice(i, i + CARRY_CHUNK));
  for (let first = 0; first < chunks.length; first += CARRY_CHUNKS_PER_TASK) {
    await Promise.all(
      chunks.slice(first, first + CARRY_CHUNKS_PER_TASK).map((chunk, offset) =>
        quick.writeCarryChunk.executeWithOptions({ summary: `sweep · hand-over ${first + offset + 1}/${chunks.length}` }, [{ prefix, index: first + offset, text: chunk }]),
      ),
    );
  }
  return { prefix, chunks: chunks.length, bytes: text.length, runs: nextRun };
}

export async function loadCarry(quick: Quick, pointer: CarryPointer): Promise<SweepCarry> {
  const chunks = await Promise.all(
    Array.from({ length: pointer.chunks }, (_, index) => quick.readCarryChunk.executeWithOptions({ summary: `sweep · take-over ${index + 1}/${pointer.chunks}` }, [{ prefix: pointer.prefix, index }])),
  );
  return JSON.parse(chunks.join('')) as SweepCarry;
}
