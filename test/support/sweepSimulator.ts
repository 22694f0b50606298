/**
 * Drives the sweep's state machine the way workflows/sweep.ts does, with the world around it (jobs that end, fail,
 * are killed for memory or report epochs; people who stop the sweep or change its budget; a TPE planner; a history
 * that grows until the sweep hands over) simulated in a seeded random order. No Temporal. Records every decision
 * and checks the machine's promises after each event; a broken one throws, naming the seed and the step.
 */
import { suggestTrial } from '../../activities/sweepPlanner.js';
import { seededRandom } from '../../core/random.js';
import { SweepMachine, type SweepDecision, type SweepEvent } from '../../core/sweep/machine/index.js';
import type { SweepCarry, SweepResult } from '../../core/sweep/records.js';
import type { SweepSpec } from '../../core/sweep/spec.js';
import type { PipelineSpec } from '../../core/spec/pipeline.js';

export interface SimulationOutcome {
  end: Extract<SweepDecision, { kind: 'finish' | 'fail' }>;
  /** Every event and the decisions it got, in order (for determinism checks). */
  log: string[];
  /** Accepted stops, refused budget changes that would have gone below what ran, hand-overs. */
  stops: number;
  refusedBelow: number;
  handOvers: number;
  launched: number[];
}

interface Job {
  trial: number;
  epochs: number;
  reported: number;
  stopAsked: boolean;
  fallbackUsed: boolean;
}

type Phase = { kind: 'ready' } | { kind: 'waiting'; since: number } | { kind: 'suggesting'; request: Extract<SweepDecision, { kind: 'suggest' }>['request'] } | { kind: 'writing'; then: 'ready' | 'handOver' | 'end' } | { kind: 'settling' } | { kind: 'done' };

export async function simulate(seed: number, sweep: SweepSpec, train: PipelineSpec['train'], options: { outages?: boolean } = {}): Promise<SimulationOutcome> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let now = Date.parse('2026-01-01T00:00:00Z');
  let history = 10;
  let runs = 1;
  let plannerKey = `sim-${seed}-1`;
  const log: string[] = [];
  const jobs = new Map<number, Job>();
  const launchedEver = new Set<number>();
  const launched: number[] = [];
  let stops = 0;
  let refusedBelow = 0;
  let handOvers = 0;
  let stopAccepted = false;

  const fresh = (carried: SweepCarry | null) => new SweepMachine({ sweep: structuredClone(sweep), train, maxLrByGroup: {}, runs, carried, now });
  let machine = fresh(null);
  let phase: Phase = { kind: 'ready' };
  let pendingPage: Extract<SweepDecision, { kind: 'writePage' }> | null = null;
  let end: SimulationOutcome['end'] | null = null;

  const fail = (message: string): never => {
    throw new Error(`seed ${seed}, step ${log.length}: ${message}\n${log.slice(-8).join('\n')}`);
  };

  /** What the workflow does with decisions: launch jobs, cancel them; returns the one that steers the loop. */
  const send = (event: SweepEvent): SweepDecision[] => {
    const decisions = machine.handle(event);
    log.push(`${JSON.stringify(event)} -> ${JSON.stringify(decisions.map((d) => (d.kind === 'launch' ? { kind: d.kind, trial: d.record.trial, adopted: d.adopted } : d.kind === 'writePage' ? { kind: d.kind, n: d.records.length } : { kind: d.kind })))}`);
    for (const decision of decisions) {
      if (decision.kind === 'stopTrial') {
        const job = jobs.get(decision.trial);
        if (job) job.stopAsked = true;
      }
      if (decision.kind === 'launch' && !decision.adopted && event.type !== 'oomKilled') {
        const { trial } = decision.record;
        if (launchedEver.has(trial)) fail(`trial ${trial} launched twice`);
        launchedEver.add(trial);
        launched.push(trial);
        jobs.set(trial, { trial, epochs: decision.record.epochs, reported: 0, stopAsked: false, fallbackUsed: false });
      }
      if (decision.kind === 'launch' && event.type === 'oomKilled') {
        const job = jobs.get(decision.record.trial);
        if (!job) fail(`OOM fallback for trial ${decision.record.trial} that has no job`);
        else job.fallbackUsed = true;
      }
    }
    check();
    return decisions;
  };
  const steer = (decisions: SweepDecision[]) => decisions.find((d) => d.kind !== 'stopTrial');

  const check = () => {
    const { concurrency, maxTrials } = machine.budget;
    // A budget is never lowered below the running trials, so more jobs than slots would be a launch too many.
    if (jobs.size > concurrency) fail(`${jobs.size} jobs running with concurrency ${concurrency}`);
    if (machine.trials > maxTrials) fail(`${machine.trials} trials with maxTrials ${maxTrials}`);
    if (machine.running !== jobs.size) fail(`the machine counts ${machine.running} running trials, the world ${jobs.size}`);
  };

  /** The loop after a launch attempt that launched nothing: finish, or wait. */
  const settle = () => {
    const idle = steer(send({ type: 'idle' }));
    if (idle?.kind === 'wait') phase = { kind: 'waiting', since: idle.since };
    else startWrite('end');
  };
  const startWrite = (then: 'ready' | 'handOver' | 'end') => {
    const page = steer(send({ type: 'writeTable', now }));
    pendingPage = page?.kind === 'writePage' ? page : null;
    phase = { kind: 'writing', then };
    if (!pendingPage) afterWrite(then);
  };
  const afterWrite = (then: 'ready' | 'handOver' | 'end') => {
    if (then === 'ready') phase = { kind: 'ready' };
    else if (then === 'handOver') handOver();
    else {
      const last = steer(send({ type: 'end' }));
      if (last?.kind !== 'finish' && last?.kind !== 'fail') fail(`end gave ${last?.kind}`);
      else end = last;
      phase = { kind: 'done' };
    }
  };
  const handOver = () => {
    const next = steer(send({ type: 'handOver' }));
    if (next?.kind !== 'continueAsNew') return fail(`handOver gave ${next?.kind}`);
    const running = next.carry.open.filter((r) => r.status === 'running').map((r) => r.trial).sort((a, b) => a - b);
    const carry = JSON.parse(JSON.stringify(next.carry)) as SweepCarry;
    handOvers += 1;
    runs += 1;
    plannerKey = `sim-${seed}-${runs}`;
    history = 10;
    machine = fresh(carry);
    const adopted = send({ type: 'start' }).flatMap((d) => (d.kind === 'launch' && d.adopted ? [d.record.trial] : []));
    if (JSON.stringify(adopted.sort((a, b) => a - b)) !== JSON.stringify(running)) fail(`adopted ${adopted} of running ${running}`);
    if (JSON.stringify([...jobs.keys()].sort((a, b) => a - b)) !== JSON.stringify(running)) fail(`jobs ${[...jobs.keys()]} vs carried running ${running}`);
    phase = { kind: 'ready' };
  };
  const afterPlan = (next: SweepDecision | undefined) => {
    if (next?.kind === 'suggest') phase = { kind: 'suggesting', request: next.request };
    else if (next?.kind === 'fail') fail(`planner failure: ${next.message}`);
    else if (next?.kind === 'launch') phase = { kind: 'ready' };
    else settle();
  };

  /** One step of the workflow's own loop, when it is not waiting for the world. */
  const loopStep = async (): Promise<void> => {
    if (phase.kind === 'ready') {
      const next = steer(send({ type: 'turn', now, historyEvents: history, historyBytes: 0 }));
      if (next?.kind === 'handOver') phase = { kind: 'settling' };
      else if (next?.kind === 'plan') afterPlan(steer(send({ type: 'plan', now })));
      else settle();
    } else if (phase.kind === 'waiting') {
      if (machine.wakeups <= phase.since) return;
      if (steer(send({ type: 'woke', now }))?.kind === 'writeTable') startWrite('ready');
      else phase = { kind: 'ready' };
    } else if (phase.kind === 'settling') {
      if (machine.stopsSettled) startWrite('handOver');
    } else if (phase.kind === 'writing') {
      const then = phase.then;
      const page = steer(send({ type: 'tableWritten', uri: 's3://gauntlet/runs/sim/trials.json' }));
      pendingPage = page?.kind === 'writePage' ? page : null;
      if (!pendingPage) afterWrite(then);
    } else if (phase.kind === 'suggesting') {
      const { request } = phase;
      // Now and then the planner lost its copy (a restarted worker): it asks for the whole list.
      if (random() < 0.1) plannerKey = `${plannerKey}+`;
      const answer = await suggestTrial({ ...request, key: plannerKey });
      afterPlan(steer(send({ type: 'planned', now, answer })));
    }
    history += 3;
  };

  /** Something the world does: a job ends or reports, a person acts. */
  const worldStep = () => {
    const job = jobs.size > 0 ? pick([...jobs.values()]) : null;
    const roll = random();
    if (job && roll < 0.3) {
      if (job.reported < job.epochs && !job.stopAsked) {
        job.reported += 1;
        send({ type: 'rung', trial: job.trial, epoch: job.reported, value: pick([0.2, 0.5, 0.7, 0.9, null]) });
      } else {
        jobs.delete(job.trial);
        send(job.stopAsked ? { type: 'trialCancelled', trial: job.trial, now, error: 'cancelled' } : { type: 'trialCompleted', trial: job.trial, now, result: { metrics: { val_accuracy: random() }, launches: 1, epochs: [] } });
      }
    } else if (job && roll < 0.36) {
      jobs.delete(job.trial);
      send(job.stopAsked && random() < 0.5 ? { type: 'trialCancelled', trial: job.trial, now, error: 'cancelled' } : { type: 'trialFailed', trial: job.trial, now, error: 'job exited with 1' });
    } else if (job && roll < 0.4 && !job.fallbackUsed && job.reported === 0) {
      const relaunch = send({ type: 'oomKilled', trial: job.trial });
      if (!relaunch.some((d) => d.kind === 'launch')) {
        jobs.delete(job.trial);
        send({ type: 'trialFailed', trial: job.trial, now, error: 'OOMKilled' });
      }
    } else if (job && options.outages && roll < 0.41) {
      jobs.delete(job.trial);
      send({ type: 'serviceLost', trial: job.trial, message: 'storage could not be reached for 903 s' });
    } else if (roll < 0.45) {
      const maxTrials = random() < 0.5 ? Math.floor(random() * (machine.trials + 6)) : undefined;
      const gpuBudget = maxTrials === undefined ? 1 + Math.floor(random() * 4) : undefined;
      const request = maxTrials !== undefined ? { maxTrials } : { gpuBudget };
      const gpusPerTrial = sweep.budget.gpusPerTrial;
      const below = (maxTrials !== undefined && maxTrials < machine.trials) || (gpuBudget !== undefined && Math.floor(gpuBudget / gpusPerTrial) < machine.running);
      const refusal = machine.refuseBudget(request);
      if (below && !refusal) fail(`budget ${JSON.stringify(request)} below what ran (${machine.trials} trials, ${machine.running} running) accepted`);
      if (below) refusedBelow += 1;
      if (!refusal) send({ type: 'budgetChanged', ...request });
    } else if (roll < 0.46) {
      if (!machine.refuseStop()) {
        stopAccepted = true;
        stops += 1;
        send({ type: 'stopRequested', now: random() < 0.5, reason: 'enough' });
      }
    } else {
      now += Math.floor(random() * 20_000);
    }
  };

  const over = () => (phase as Phase).kind === 'done';
  for (let step = 0; step < 20_000 && !over(); step++) {
    if (random() < 0.5) await loopStep();
    else worldStep();
  }
  const last = end as SimulationOutcome['end'] | null;
  if (!last) return fail('the sweep never ended');
  const result: SweepResult | null = last.kind === 'finish' ? last.result : null;
  if (result) {
    if (jobs.size > 0) fail(`finished with jobs still running: ${[...jobs.keys()]}`);
    if (result.completed + result.stopped + result.failed !== result.trials) fail(`finished with trials not ended: ${JSON.stringify(result)}`);
    if (stopAccepted && result.stoppedBecause !== 'user') fail(`stopped by a person but ended as ${result.stoppedBecause}`);
  }
  return { end: last, log, stops, refusedBelow, handOvers, launched };
}
