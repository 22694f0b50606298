/** Pod status as a kubelet reports it, built from what the pod runner knows about each local container process. */
import type { V1ContainerState, V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';

export type LocalState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: Date }
  | { kind: 'terminated'; exitCode: number; reason: string; message?: string; signal?: number; startedAt: Date; finishedAt: Date };

export interface LocalContainer {
  name: string;
  image: string;
  containerID: string;
  restartCount: number;
  state: LocalState;
  lastState?: LocalState;
}

function toState(state: LocalState | undefined): V1ContainerState {
  if (!state) return {};
  switch (state.kind) {
    case 'waiting':
      return { waiting: { reason: state.reason, message: state.message } };
    case 'running':
      return { running: { startedAt: state.startedAt } };
    case 'terminated':
      return {
        terminated: {
          exitCode: state.exitCode,
          reason: state.reason,
          message: state.message,
          signal: state.signal,
          startedAt: state.startedAt,
          finishedAt: state.finishedAt,
        },
      };
  }
}

/** Succeeded when every container exited 0, Failed when all ended and one did not, Running once any started. */
export function phaseOf(containers: LocalContainer[]): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (containers.every((c) => c.state.kind === 'terminated')) {
    return containers.every((c) => c.state.kind === 'terminated' && c.state.exitCode === 0) ? 'Succeeded' : 'Failed';
  }
  return containers.some((c) => c.state.kind !== 'waiting' || c.restartCount > 0) ? 'Running' : 'Pending';
}

/**
 * The status to patch (strategic merge: conditions merge by type, so the scheduler's PodScheduled stays).
 * `since` remembers when each condition last changed, so lastTransitionTime moves only on a change.
 */
export function buildPodStatus(
  pod: V1Pod,
  containers: LocalContainer[],
  net: { hostIP: string; podIP: string; startTime: Date },
  since: Map<string, { status: string; at: Date }>,
): V1PodStatus {
  const phase = phaseOf(containers);
  const allRunning = containers.every((c) => c.state.kind === 'running');
  const done = phase === 'Succeeded' || phase === 'Failed';
  const notReady = containers.filter((c) => c.state.kind !== 'running').map((c) => c.name);
  const readyReason = done ? (phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed') : allRunning ? undefined : 'ContainersNotReady';
  const readyMessage = !done && !allRunning ? `containers with unready status: [${notReady.join(' ')}]` : undefined;
  const condition = (type: string, ok: boolean, reason?: string, message?: string): V1PodCondition => {
    const status = ok ? 'True' : 'False';
    const previous = since.get(type);
    const at = previous && previous.status === status ? previous.at : new Date();
    since.set(type, { status, at });
    return { type, status, reason, message, lastTransitionTime: at, lastProbeTime: undefined };
  };
  const started = containers.some((c) => c.state.kind !== 'waiting' || c.restartCount > 0);
  return {
    phase,
    hostIP: net.hostIP,
    hostIPs: [{ ip: net.hostIP }],
    podIP: net.podIP,
    podIPs: [{ ip: net.podIP }],
    startTime: net.startTime,
    conditions: [
      condition('PodReadyToStartContainers', !done || started),
      condition('Initialized', true),
      condition('Ready', allRunning, readyReason, readyMessage),
      condition('ContainersReady', allRunning, readyReason, readyMessage),
    ],
    containerStatuses: containers.map(
      (c): V1ContainerStatus => ({
        name: c.name,
        image: c.image,
        imageID: '',
        containerID: c.state.kind === 'waiting' && c.restartCount === 0 ? undefined : c.containerID,
        ready: c.state.kind === 'running',
        started: c.state.kind === 'running',
        restartCount: c.restartCount,
        state: toState(c.state),
        lastState: toState(c.lastState),
      }),
    ),
  };
}

/** Deterministic pod IP in 10.244.0.0/16 from the pod uid (a kubelet's CNI would assign one). */
export function podIPFor(uid: string): string {
  let h = 0;
  for (const ch of uid) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `10.244.${(h >>> 8) & 0xff}.${(h & 0xfe) + 1}`;
}
