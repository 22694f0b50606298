/**
 * Pins of the local Kubernetes cluster (KWOK on a real control plane), built from Go modules into the binary cache
 * of deploy/dev/binaries.ts. Versions move together: KWOK v0.8.0 is tested against Kubernetes 1.36.1 (its default,
 * top of its supported_releases.txt) and kwokctl pairs 1.36 with etcd 3.6 (3.6.16: the newest 3.6 the proxy serves).
 */
import type { BinarySpec } from '../binarySpec.js';

export const KUBERNETES_VERSION = 'v1.36.1';
export const ETCD_VERSION = 'v3.6.16';
export const KWOK_VERSION = 'v0.8.0';

/** Wrapper modules (go.mod + go.sum shipped in the repo, hashes pinned), relative to the repo root. */
const K8S_MODULE = 'deploy/dev/cluster/gomod/kubernetes';
const ETCD_MODULE = 'deploy/dev/cluster/gomod/etcd';

const [k8sMajor, k8sMinor] = KUBERNETES_VERSION.slice(1).split('.') as [string, string, string];
/** Without these a module build reports v0.0.0-master, and kwokctl picks flags by the version it parses. */
const K8S_LDFLAGS = [
  '-s -w',
  ...['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${KUBERNETES_VERSION}`,
    `-X ${pkg}.gitMajor=${k8sMajor}`,
    `-X ${pkg}.gitMinor=${k8sMinor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]),
].join(' ');

function kubeBinary(cmd: string, buildMinutes: number): BinarySpec {
  const plain = KUBERNETES_VERSION.slice(1);
  return {
    version: plain,
    installTarget: `k8s.io/kubernetes/cmd/${cmd}`,
    wrapperModule: K8S_MODULE,
    ldflags: K8S_LDFLAGS,
    goVersion: '1.26',
    buildMinutes,
    versionArgs: cmd === 'kubectl' ? ['version', '--client'] : ['--version'],
    matches: (out) => new RegExp(`(Kubernetes|Client Version:) ${KUBERNETES_VERSION.replace(/\./g, '\\.')}\\b`).test(out),
  };
}

export const CLUSTER_BINARIES = {
  // Measured cold on 2 cores (empty Go build cache, modules downloaded): 539 s, 106 s, 16 s, 34 s. The first one pays
  // for the shared k8s.io packages; the rest reuse Go's build cache (~3.8 GB for the whole cluster group).
  'kube-apiserver': kubeBinary('kube-apiserver', 10),
  'kube-controller-manager': kubeBinary('kube-controller-manager', 2),
  'kube-scheduler': kubeBinary('kube-scheduler', 1),
  kubectl: kubeBinary('kubectl', 1),
  etcd: {
    version: ETCD_VERSION.slice(1),
    installTarget: 'go.etcd.io/etcd/server/v3',
    wrapperModule: ETCD_MODULE,
    ldflags: '-s -w',
    goVersion: '1.26',
    buildMinutes: 1, // 49 s cold
    matches: (out) => out.includes(`etcd Version: ${ETCD_VERSION.slice(1)}`),
  },
  kwok: {
    version: KWOK_VERSION.slice(1),
    installTarget: `sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}`,
    ldflags: '-s -w',
    goVersion: '1.26',
    buildMinutes: 2, // 96 s cold
    matches: (out) => out.includes(`kwok version ${KWOK_VERSION} `),
  },
  kwokctl: {
    version: KWOK_VERSION.slice(1),
    installTarget: `sigs.k8s.io/kwok/cmd/kwokctl@${KWOK_VERSION}`,
    ldflags: '-s -w',
    goVersion: '1.26',
    buildMinutes: 1, // 20 s after kwok
    matches: (out) => out.includes(`kwokctl version ${KWOK_VERSION} `),
  },
} satisfies Record<string, BinarySpec>;

export type ClusterBinaryName = keyof typeof CLUSTER_BINARIES;
