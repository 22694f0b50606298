/**
 * Server-side validation of manifests without kubectl: a create with dryRun=All and fieldValidation=Strict, so the
 * real API server runs decoding, defaulting, validation, admission and RBAC checks (an unknown or misspelt field is
 * an error, not a warning) and persists nothing.
 */
import { request } from 'node:https';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod';

export interface ApiAnswer {
  status: number;
  body: string;
}

const ResourceList = z.object({ resources: z.array(z.object({ name: z.string(), kind: z.string(), namespaced: z.boolean() })) });

/** One HTTPS request to the API server, authenticated as the kubeconfig's user. */
export async function kubeRequest(kc: KubeConfig, method: string, path: string, body?: string, contentType = 'application/json'): Promise<ApiAnswer> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no current cluster');
  const opts: { headers: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer } = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  if (body !== undefined) opts.headers['content-type'] = contentType;
  return new Promise((resolveAnswer, reject) => {
    const req = request(new URL(path, server), { ...opts, method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The REST path of an object's collection, from the API server's discovery (no table of kinds to keep up to date). */
async function collectionPath(kc: KubeConfig, obj: KubernetesObject): Promise<string> {
  const apiVersion = obj.apiVersion ?? '';
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const discovery = await kubeRequest(kc, 'GET', base);
  if (discovery.status !== 200) throw new Error(`discovery of ${apiVersion} answered ${discovery.status}: ${discovery.body}`);
  const resource = ResourceList.parse(JSON.parse(discovery.body)).resources.find((r) => r.kind === obj.kind && !r.name.includes('/'));
  if (!resource) throw new Error(`the API server serves no ${obj.kind} in ${apiVersion}`);
  const namespace = obj.metadata?.namespace ?? 'default';
  return resource.namespaced ? `${base}/namespaces/${namespace}/${resource.name}` : `${base}/${resource.name}`;
}

/** Creates `obj` as a dry run; status 201 when the API server accepts it, else its Status (422 for invalid). */
export async function serverDryRun(kc: KubeConfig, obj: KubernetesObject): Promise<ApiAnswer> {
  return kubeRequest(kc, 'POST', `${await collectionPath(kc, obj)}?dryRun=All&fieldValidation=Strict`, JSON.stringify(obj));
}
