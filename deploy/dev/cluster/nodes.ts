/**
 * Fake GPU nodes: Node objects that kwok manages (annotation `kwok.x-k8s.io/node: fake`). The real scheduler counts
 * `nvidia.com/gpu` like any extended resource, so GPU pods stay Pending once the GPUs are taken.
 */
import { type CoreV1Api, type V1Node, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { statusOf } from './kube.js';

/** Label on every node `up` creates: reconciling (fewer nodes, `down --purge`) touches only these. */
export const MANAGED_BY_LABEL = 'gauntlet.dev/managed-by';
export const MANAGED_BY = 'gauntlet-dev-cluster';
export const GPU_LABEL = 'gauntlet.dev/gpu';
export const GPU_RESOURCE = 'nvidia.com/gpu';

export interface NodePoolSpec {
  count: number;
  gpusPerNode: number;
  /** Per node. @default '32' */
  cpu?: string;
  /** Per node. @default '256Gi' */
  memory?: string;
}

export interface NodeSummary {
  name: string;
  ready: boolean;
  gpus: number;
  cpu: string;
  memory: string;
}

export function nodeName(index: number): string {
  return `gauntlet-gpu-${index}`;
}

function resources(spec: NodePoolSpec): Record<string, string> {
  return {
    cpu: spec.cpu ?? '32',
    memory: spec.memory ?? '256Gi',
    pods: '110',
    'ephemeral-storage': '1Ti',
    [GPU_RESOURCE]: String(spec.gpusPerNode),
  };
}

function nodeManifest(name: string, spec: NodePoolSpec): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': `gauntlet-sim-${spec.gpusPerNode}gpu`,
        type: 'kwok',
        [GPU_LABEL]: 'true',
        'nvidia.com/gpu.present': 'true',
        [MANAGED_BY_LABEL]: MANAGED_BY,
      },
    },
    // Node status is kept on create (a kubelet registers this way); kwok's node-initialize stage keeps it too.
    status: { capacity: resources(spec), allocatable: resources(spec) },
  };
}

/**
 * Makes the managed nodes exactly `gauntlet-gpu-0..count-1` with the asked resources: creates missing ones, fixes the
 * capacity of existing ones, deletes managed nodes past `count`. Returns the names.
 */
export async function reconcileNodes(core: CoreV1Api, spec: NodePoolSpec): Promise<string[]> {
  const wanted = Array.from({ length: spec.count }, (_, i) => nodeName(i));
  const existing = await core.listNode({ labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
  for (const node of existing.items) {
    const name = node.metadata?.name ?? '';
    if (!wanted.includes(name)) await core.deleteNode({ name }).catch(ignore404);
  }
  const want = resources(spec);
  for (const name of wanted) {
    const node = existing.items.find((n) => n.metadata?.name === name);
    if (!node) {
      await core.createNode({ body: nodeManifest(name, spec) }).catch((error: unknown) => {
        if (statusOf(error) !== 409) throw error;
      });
    } else if (Object.entries(want).some(([k, v]) => node.status?.capacity?.[k] !== v || node.status?.allocatable?.[k] !== v)) {
      await core.patchNodeStatus(
        { name, body: { status: { capacity: want, allocatable: want } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    }
  }
  return wanted;
}

/** Deletes every node `up` created (before a purge, so nothing managed survives in etcd snapshots). */
export async function deleteManagedNodes(core: CoreV1Api): Promise<void> {
  await core.deleteCollectionNode({ labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
}

export async function managedNodes(core: CoreV1Api): Promise<NodeSummary[]> {
  const list = await core.listNode({ labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
  return list.items
    .map((node) => ({
      name: node.metadata?.name ?? '',
      ready: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      gpus: Number(node.status?.allocatable?.[GPU_RESOURCE] ?? 0),
      cpu: node.status?.allocatable?.cpu ?? '',
      memory: node.status?.allocatable?.memory ?? '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}

function ignore404(error: unknown): void {
  if (statusOf(error) !== 404) throw error;
}
