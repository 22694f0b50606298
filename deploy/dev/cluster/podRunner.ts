/**
 * The pod runner plays the kubelet for pods annotated `gauntlet.dev/run-locally: "true"` on the fake nodes: it runs each
 * container's own command with the pod's environment as a local process, reports Running, writes stdout/stderr as
 * CRI logs that kwok serves (so `kubectl logs` / readNamespacedPodLog work), and reports the exit code through the
 * pod status, so the Job controller (and an executor) see what a real node would report. KWOK's stages skip these
 * pods (stages.yaml), so the two never fight over them. For tests and `gauntlet dev cluster up --run-pods-locally`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import {
  type CoreV1Api,
  CustomObjectsApi,
  type Informer,
  type KubeConfig,
  type V1Container,
  type V1Pod,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { sleep } from '../process.js';
import { CriLogWriter } from './criLog.js';
import { coreApi, loadKubeConfig, statusOf } from './kube.js';
import { type LocalImages, playImage } from './localImages.js';
import { ContainerConfigError, commandLine, containerEnv } from './podEnv.js';
import { type LocalContainer, type LocalState, buildPodStatus, phaseOf, podIPFor } from './podStatus.js';

export const RUN_LOCALLY_ANNOTATION = 'gauntlet.dev/run-locally';

export interface PodRunnerOptions {
  /** Admin kubeconfig of the cluster (`<state>/cluster/kubeconfig`). */
  kubeconfig: string;
  /** Container logs and working folders: `<workDir>/<namespace>_<pod>_<uid>/`. */
  workDir: string;
  /** Images whose files this machine stands in for (localImages.ts). @default none */
  localImages?: LocalImages;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

export interface PodRunner {
  /** Pods whose containers run right now. */
  active(): number;
  /** Stops watching and kills the local processes (their pods keep the status they had). */
  stop(): Promise<void>;
}

interface Run {
  pod: V1Pod;
  dir: string;
  containers: LocalContainer[];
  processes: Map<string, ChildProcess>;
  net: { hostIP: string; podIP: string; startTime: Date };
  since: Map<string, { status: string; at: Date }>;
  /** Status patches go out one after the other, in order. */
  patches: Promise<void>;
  deleting: boolean;
}

export async function startPodRunner(options: PodRunnerOptions): Promise<PodRunner> {
  const runner = new Runner(loadKubeConfig(options.kubeconfig), options);
  await runner.start();
  return runner;
}

const isLocal = (pod: V1Pod) => pod.metadata?.annotations?.[RUN_LOCALLY_ANNOTATION] === 'true';
const key = (pod: V1Pod) => pod.metadata?.uid ?? '';
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

class Runner implements PodRunner {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly informer: Informer<V1Pod>;
  private readonly runs = new Map<string, Run>();
  /** Uids of deleted pods being stopped and removed. */
  private readonly finalizing = new Set<string>();
  private readonly log: (line: string) => void;
  private stopped = false;

  constructor(
    kc: KubeConfig,
    private readonly options: PodRunnerOptions,
  ) {
    this.core = coreApi(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.log = options.log ?? (() => undefined);
    this.informer = makeInformer(kc, '/api/v1/pods', () => this.core.listPodForAllNamespaces());
  }

  async start(): Promise<void> {
    const onPod = (pod: V1Pod) => {
      if (isLocal(pod)) this.handle(pod).catch((error) => this.log(`pod ${name(pod)}: ${String(error)}`));
    };
    this.informer.on('add', onPod);
    this.informer.on('update', onPod);
    this.informer.on('delete', (pod) => {
      const run = this.runs.get(key(pod));
      this.runs.delete(key(pod));
      this.finalizing.delete(key(pod));
      if (run) void this.kill(run, 0);
    });
    // The client's informer stops on errors other than 410 Gone: start it again while the runner runs.
    // Keep trying while the API server is away (a restart): a failed start is retried too.
    const restart = () => {
      if (!this.stopped) setTimeout(() => void this.informer.start().catch(restart), 1000);
    };
    this.informer.on('error', () => {
      restart();
    });
    process.on('exit', this.killAllSync); // a runner that dies must not leave its containers running
    await this.informer.start();
  }

  private readonly killAllSync = () => {
    for (const run of this.runs.values()) for (const child of run.processes.values()) signal(child, 'SIGKILL');
  };

  active(): number {
    return [...this.runs.values()].filter((r) => r.processes.size > 0).length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    process.off('exit', this.killAllSync);
    await this.informer.stop();
    await Promise.all([...this.runs.values()].map((run) => this.kill(run, 5)));
  }

  private async handle(pod: V1Pod): Promise<void> {
    if (this.stopped || !pod.spec?.nodeName) return; // not scheduled yet
    const uid = key(pod);
    const run = this.runs.get(uid);
    if (run) run.pod = pod;
    if (pod.metadata?.deletionTimestamp) {
      // As a kubelet: stop the containers (grace period), report, then remove the pod (KWOK's pod-delete stage skips
      // run-locally pods, so a deleted pod stays Terminating until its process is gone).
      if (this.finalizing.has(uid)) return;
      this.finalizing.add(uid);
      if (run) {
        await this.kill(run, pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
        await run.patches;
      }
      await this.finalize(pod);
      return;
    }
    if (run) return;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (pod.status?.containerStatuses?.some((c) => c.state?.running || c.state?.terminated)) {
      await this.reportLost(pod); // started by an earlier runner whose processes are gone
      return;
    }
    await this.launch(pod);
  }

  /** Deletes the pod object for good (grace 0; the API server waits for the Job controller's finalizer). */
  private async finalize(pod: V1Pod): Promise<void> {
    const { name: podName = '', namespace = 'default', uid } = pod.metadata ?? {};
    await this.core
      .deleteNamespacedPod({ name: podName, namespace, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid } } })
      .catch((error: unknown) => {
        if (statusOf(error) !== 404 && statusOf(error) !== 409) this.log(`pod ${namespace}/${podName}: delete failed: ${String(error)}`);
      });
  }

  private async launch(pod: V1Pod): Promise<void> {
    const uid = key(pod);
    const dir = join(this.options.workDir, `${pod.metadata?.namespace}_${pod.metadata?.name}_${uid}`);
    const run: Run = {
      pod,
      dir,
      containers: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? '',
        containerID: `containerd://${randomBytes(32).toString('hex')}`,
        restartCount: 0,
        state: { kind: 'waiting', reason: 'ContainerCreating' },
      })),
      processes: new Map(),
      net: { hostIP: '', podIP: '', startTime: new Date() },
      since: new Map(),
      patches: Promise.resolve(),
      deleting: false,
    };
    this.runs.set(uid, run); // before any await: a second event for this pod must not launch it again
    this.log(`pod ${name(pod)}: starting ${run.containers.length} container(s) locally`);
    try {
      run.net.hostIP = await this.nodeIP(pod.spec!.nodeName!);
      run.net.podIP = pod.spec?.hostNetwork ? run.net.hostIP : podIPFor(uid);
      await this.writeLogsObject(run);
    } catch (error) {
      // The API server hiccuped: forget this attempt and try again (a Pending pod may see no new event).
      this.runs.delete(uid);
      this.log(`pod ${name(pod)}: ${String(error)}; retrying`);
      setTimeout(() => void this.handle(run.pod).catch(() => undefined), 2000);
      return;
    }
    const specs = pod.spec?.containers ?? [];
    await Promise.all(specs.map((spec, i) => this.startContainer(run, spec, run.containers[i]!)));
  }

  /** Resolves env and command (retrying a missing Secret like a kubelet), then spawns the process. */
  private async startContainer(run: Run, spec: V1Container, container: LocalContainer): Promise<void> {
    let argv: string[];
    let env: Record<string, string>;
    for (;;) {
      if (run.deleting || this.stopped) return;
      try {
        env = await containerEnv(this.core, run.pod, spec);
        argv = commandLine(spec, env);
        break;
      } catch (error) {
        if (!(error instanceof ContainerConfigError)) throw error;
        const reason = /has no command/.test(error.message) ? 'CreateContainerError' : 'CreateContainerConfigError';
        if (container.state.kind !== 'waiting' || container.state.message !== error.message) {
          container.state = { kind: 'waiting', reason, message: error.message };
          this.report(run);
        }
        await sleep(2000);
      }
    }
    const workDir = spec.workingDir && existsSync(spec.workingDir) ? spec.workingDir : join(run.dir, 'work');
    mkdirSync(workDir, { recursive: true });
    const logs = new CriLogWriter(join(run.dir, container.name, `${container.restartCount}.log`));
    const played = playImage(this.options.localImages ?? {}, spec.image, argv);
    const child = spawn(played.argv[0]!, played.argv.slice(1), {
      cwd: workDir,
      env: { ...baseEnv(run.pod), ...played.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: deletion kills the whole tree
    });
    run.processes.set(container.name, child);
    const startedAt = new Date();
    child.stdout?.on('data', (chunk: Buffer) => logs.write('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => logs.write('stderr', chunk));
    let startError: NodeJS.ErrnoException | undefined;
    child.on('error', (error) => (startError = error));
    child.on('close', (code, signal) => {
      logs.close();
      run.processes.delete(container.name);
      // A command that cannot start is what containerd reports as StartError, exit code 128.
      const exitCode = startError ? 128 : (code ?? 128 + (signal ? (constants.signals[signal] ?? 9) : 9));
      const notFound = startError?.code === 'ENOENT' ? 'executable file not found in $PATH' : startError?.message;
      const finished: LocalState = {
        kind: 'terminated',
        exitCode,
        reason: startError ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error',
        message: startError ? `failed to start container: exec: "${argv[0]}": ${notFound}` : undefined,
        signal: signal ? constants.signals[signal] : undefined,
        startedAt,
        finishedAt: new Date(),
      };
      this.log(`pod ${name(run.pod)}: container ${container.name} exited ${exitCode}`);
      if (this.restarts(run, exitCode) && !run.deleting && !this.stopped) {
        container.lastState = finished;
        container.restartCount += 1;
        container.state = { kind: 'waiting', reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${container.name}` };
        this.report(run);
        void this.writeLogsObject(run).catch((e: unknown) => this.log(String(e)));
        setTimeout(() => void this.startContainer(run, spec, container).catch((e) => this.log(String(e))), Math.min(10_000 * 2 ** (container.restartCount - 1), 300_000));
      } else {
        container.state = finished;
        if (!this.stopped) this.report(run);
      }
    });
    if (!child.pid) return; // spawn failed: 'close' follows with the error
    container.state = { kind: 'running', startedAt };
    this.report(run);
  }

  private restarts(run: Run, exitCode: number): boolean {
    const policy = run.pod.spec?.restartPolicy ?? 'Always';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  /** Queues a status patch with the current state (patches are serialized per pod). */
  private report(run: Run): void {
    const status = buildPodStatus(run.pod, run.containers, run.net, run.since);
    const { name: podName = '', namespace = 'default' } = run.pod.metadata ?? {};
    run.patches = run.patches.then(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await this.core.patchNamespacedPodStatus({ name: podName, namespace, body: { status } }, strategic);
          return;
        } catch (error) {
          if (statusOf(error) === 404) return; // the pod is gone
          await sleep(200 * (attempt + 1));
        }
      }
      this.log(`pod ${namespace}/${podName}: could not report status ${status.phase}`);
    });
    if (phaseOf(run.containers) === 'Succeeded' || phaseOf(run.containers) === 'Failed') this.log(`pod ${namespace}/${podName}: ${status.phase}`);
  }

  /** SIGTERM the container processes, SIGKILL after the grace period; resolves when they are gone. */
  private async kill(run: Run, graceSeconds: number): Promise<void> {
    run.deleting = true;
    const children = [...run.processes.values()];
    for (const child of children) signal(child, 'SIGTERM');
    const deadline = Date.now() + graceSeconds * 1000;
    while (run.processes.size > 0 && Date.now() < deadline) await sleep(100);
    for (const child of run.processes.values()) signal(child, 'SIGKILL');
    while (run.processes.size > 0) await sleep(50);
  }

  /** What a kubelet reports for a container it can no longer find (its process died with an earlier runner). */
  private async reportLost(pod: V1Pod): Promise<void> {
    const now = new Date();
    const lost: LocalContainer[] = (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      containerID: pod.status?.containerStatuses?.find((s) => s.name === c.name)?.containerID ?? '',
      restartCount: pod.status?.containerStatuses?.find((s) => s.name === c.name)?.restartCount ?? 0,
      state: {
        kind: 'terminated',
        exitCode: 137,
        reason: 'ContainerStatusUnknown',
        message: 'The container could not be located when the pod was terminated',
        startedAt: now,
        finishedAt: now,
      },
    }));
    const hostIP = pod.status?.hostIP ?? (await this.nodeIP(pod.spec!.nodeName!));
    const net = { hostIP, podIP: pod.status?.podIP ?? podIPFor(key(pod)), startTime: pod.status?.startTime ?? now };
    const status = buildPodStatus(pod, lost, net, new Map());
    const { name: podName = '', namespace = 'default' } = pod.metadata ?? {};
    await this.core.patchNamespacedPodStatus({ name: podName, namespace, body: { status } }, strategic).catch(() => undefined);
    this.log(`pod ${namespace}/${podName}: lost (no local process): reported ContainerStatusUnknown`);
  }

  /**
   * A kwok `Logs` object (owned by the pod, so it goes with it) pointing kwok's log server at our files: the current
   * attempt of each container, and the one before for `--previous`.
   */
  private async writeLogsObject(run: Run): Promise<void> {
    const { name: podName = '', namespace = 'default', uid = '' } = run.pod.metadata ?? {};
    const body: { metadata: Record<string, unknown>; [k: string]: unknown } = {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Logs',
      metadata: { name: podName, namespace, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: podName, uid }] },
      spec: {
        logs: run.containers.map((c) => ({
          containers: [c.name],
          logsFile: join(run.dir, c.name, `${c.restartCount}.log`),
          previousLogsFile: c.restartCount > 0 ? join(run.dir, c.name, `${c.restartCount - 1}.log`) : undefined,
          follow: true,
        })),
      },
    };
    const target = { group: 'kwok.x-k8s.io', version: 'v1alpha1', namespace, plural: 'logs' };
    try {
      await this.custom.createNamespacedCustomObject({ ...target, body });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      // A restart, or a pod of the same name ran before and its Logs object is not collected yet: replace it.
      const existing = (await this.custom.getNamespacedCustomObject({ ...target, name: podName })) as { metadata?: { resourceVersion?: string } };
      body.metadata.resourceVersion = existing.metadata?.resourceVersion;
      await this.custom.replaceNamespacedCustomObject({ ...target, name: podName, body });
    }
  }

  private async nodeIP(nodeName: string): Promise<string> {
    const node = await this.core.readNode({ name: nodeName }).catch(() => undefined);
    return node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
  }
}

/** A container does not inherit the runner's environment; it gets what an image usually has, plus the pod's env. */
function baseEnv(pod: V1Pod): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: pod.metadata?.name ?? '' };
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ']) if (process.env[name]) env[name] = process.env[name]!;
  return env;
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, sig);
  } catch {
    child.kill(sig);
  }
}

function name(pod: V1Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}
