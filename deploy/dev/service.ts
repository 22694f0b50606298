/** What the stack needs to know about each service it runs. */
import type { ResolvedDevOptions } from './options.js';
import type { StatePaths } from './paths.js';
import type { PidRecord } from './process.js';

export type ServiceName = 'temporal' | 'minio' | 'worker';
export const SERVICE_NAMES: readonly ServiceName[] = ['temporal', 'minio', 'worker'];

export interface PortUse {
  port: number;
  /** The CLI flag that moves it, for the "port in use" line. */
  flag: string;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Version label for stack.json. */
  version?: string;
}

export interface ServiceDef {
  name: ServiceName;
  ports(o: ResolvedDevOptions): PortUse[];
  /** Resolve binaries and arguments (may build a binary: slow on a first run). */
  prepare(o: ResolvedDevOptions, paths: StatePaths): Promise<LaunchSpec>;
  /** One quick health probe of the process `record` describes (its binary, where its output starts in the log). */
  healthy(o: ResolvedDevOptions, paths: StatePaths, record: PidRecord): Promise<boolean>;
  /** Idempotent set-up once healthy (search attributes, bucket); runs on every `up`, also when already running. */
  configure?(o: ResolvedDevOptions, paths: StatePaths): Promise<void>;
  /** What the user connects to. */
  urls(o: ResolvedDevOptions): Record<string, string>;
}
