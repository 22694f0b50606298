/**
 * The local cluster's own figures, for benchmarks: the Prometheus counters of kube-apiserver, kube-controller-manager
 * and kube-scheduler (their /metrics, with the admin client certificate kwokctl wrote; the last two allow /metrics
 * to anyone), and the CPU time of every control-plane process (from kwokctl's pid files and /proc).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { clusterPaths } from '../../deploy/dev/cluster/paths.js';

export interface Metric {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Component {
  name: string;
  url: string;
  cert: Buffer;
  key: Buffer;
}

/** kube-apiserver, kube-controller-manager, kube-scheduler: their metrics endpoints, as kwokctl recorded them. */
export function metricEndpoints(stateDir: string): Map<string, Component> {
  const dir = clusterPaths(stateDir).kwokClusterDir;
  const config = parseAllDocuments(readFileSync(join(dir, 'kwok.yaml'), 'utf8'))
    .map((doc) => doc.toJS() as { kind?: string; components?: { name: string; metric?: { scheme: string; host: string; path: string; certPath?: string; keyPath?: string } }[] })
    .find((doc) => doc?.kind === 'KwokctlConfiguration');
  const endpoints = new Map<string, Component>();
  for (const component of config?.components ?? []) {
    const metric = component.metric;
    if (!metric || metric.scheme !== 'https' || !metric.certPath || !metric.keyPath) continue;
    endpoints.set(component.name, {
      name: component.name,
      url: `https://${metric.host}${metric.path}`,
      cert: readFileSync(metric.certPath),
      key: readFileSync(metric.keyPath),
    });
  }
  return endpoints;
}

export function parseMetrics(text: string, names: RegExp): Metric[] {
  const out: Metric[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || !names.test(match[1]!)) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!;
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

/** GET the component's /metrics (self-signed serving certificates: the client certificate is what matters here). */
export function scrape(component: Component, names: RegExp): Promise<Metric[]> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(component.url), { cert: component.cert, key: component.key, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(parseMetrics(body, names)) : reject(new Error(`${component.url}: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${component.url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** after − before of every counter, keyed by `key(metric)` and summed. */
export function diff(before: Metric[], after: Metric[], key: (metric: Metric) => string | null): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [list, sign] of [[after, 1], [before, -1]] as const) {
    for (const metric of list) {
      const k = key(metric);
      if (k !== null) sums.set(k, (sums.get(k) ?? 0) + sign * metric.value);
    }
  }
  return sums;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) used so far by each control-plane process kwokctl started (pid files in pids/). */
export function controlPlaneCpu(stateDir: string): Map<string, number> {
  const dir = join(clusterPaths(stateDir).kwokClusterDir, 'pids');
  const cpu = new Map<string, number>();
  for (const file of readdirSync(dir)) {
    const pid = Number(readFileSync(join(dir, file), 'utf8').trim());
    const seconds = processCpu(pid);
    if (seconds !== null) cpu.set(file.replace(/\.pid$/, ''), seconds);
  }
  return cpu;
}

export function processCpu(pid: number): number | null {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
