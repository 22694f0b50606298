/**
 * A container's environment and command line as a kubelet builds them: envFrom, env (value, secretKeyRef,
 * configMapKeyRef, fieldRef, resourceFieldRef) and `$(VAR)` expansion. Secrets are read through the API, like a
 * kubelet does, so RBAC and missing keys behave as on a real node.
 */
import type { CoreV1Api, V1Container, V1Pod } from '@kubernetes/client-node';
import { statusOf } from './kube.js';

/** A container that cannot be configured: the kubelet reports it as waiting with reason CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

export async function containerEnv(core: CoreV1Api, pod: V1Pod, container: V1Container): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const secrets = new Map<string, Promise<Record<string, string> | undefined>>();
  const configMaps = new Map<string, Promise<Record<string, string> | undefined>>();
  const secret = (name: string) => memo(secrets, name, () => readSecret(core, namespace, name));
  const configMap = (name: string) => memo(configMaps, name, () => readConfigMap(core, namespace, name));
  const env: Record<string, string> = {};

  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.secretRef) {
      const data = await secret(source.secretRef.name ?? '');
      if (!data && !source.secretRef.optional) throw new ContainerConfigError(`secret "${source.secretRef.name}" not found`);
      for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
    }
    if (source.configMapRef) {
      const data = await configMap(source.configMapRef.name ?? '');
      if (!data && !source.configMapRef.optional) throw new ContainerConfigError(`configmap "${source.configMapRef.name}" not found`);
      for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
    }
  }
  for (const item of container.env ?? []) {
    const from = item.valueFrom;
    if (!from) {
      env[item.name] = expand(item.value ?? '', env);
    } else if (from.secretKeyRef) {
      const { name = '', key, optional } = from.secretKeyRef;
      const value = (await secret(name))?.[key];
      if (value !== undefined) env[item.name] = value;
      else if (!optional) throw new ContainerConfigError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
    } else if (from.configMapKeyRef) {
      const { name = '', key, optional } = from.configMapKeyRef;
      const value = (await configMap(name))?.[key];
      if (value !== undefined) env[item.name] = value;
      else if (!optional) throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
    } else if (from.fieldRef) {
      env[item.name] = fieldValue(pod, from.fieldRef.fieldPath);
    } else if (from.resourceFieldRef) {
      const resource = from.resourceFieldRef.resource;
      const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
      env[item.name] = String(container.resources?.[kind]?.[name] ?? '0');
    }
  }
  return env;
}

/** The pod fields a downward-API fieldRef may name. */
function fieldValue(pod: V1Pod, path: string): string {
  const meta = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return meta[keyed[1] as 'labels' | 'annotations']?.[keyed[2]!] ?? '';
  const fields: Record<string, string | undefined> = {
    'metadata.name': meta.name,
    'metadata.namespace': meta.namespace,
    'metadata.uid': meta.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.hostIP': pod.status?.hostIP,
    'status.podIP': pod.status?.podIP,
  };
  return fields[path] ?? '';
}

/** Kubernetes `$(VAR)` expansion: defined variables are replaced, `$$(` escapes, unknown references stay as written. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in env ? env[name]! : match;
  });
}

/** command + args with `$(VAR)` expanded; the image's entrypoint is unknown here, so a command is required. */
export function commandLine(container: V1Container, env: Record<string, string>): string[] {
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((part) => expand(part, env));
  if (!container.command?.length) {
    throw new ContainerConfigError(
      `container "${container.name}" has no command: a run-locally pod must set spec.containers[].command (the image's entrypoint is not known outside the image)`,
    );
  }
  return argv;
}

async function readSecret(core: CoreV1Api, namespace: string, name: string): Promise<Record<string, string> | undefined> {
  try {
    const s = await core.readNamespacedSecret({ name, namespace });
    const data: Record<string, string> = { ...(s.stringData ?? {}) };
    for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
    return data;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

async function readConfigMap(core: CoreV1Api, namespace: string, name: string): Promise<Record<string, string> | undefined> {
  try {
    return (await core.readNamespacedConfigMap({ name, namespace })).data ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) cache.set(key, (value = load()));
  return value;
}
