/**
 * From a search space to trial configurations, deterministically:
 * - grid: the lexicographic product (parameter names sorted, choices in written order, ints ascending, the last name
 *   varying fastest), visited in a seeded shuffled order — like Optuna's GridSampler — so that a grid cut short by
 *   maxTrials, the deadline or failures is a uniform sample of the grid rather than one corner of it;
 * - random: slot k's draw uses PRNGs seeded by hash(seed, k, attempt, parameter) — never by how many numbers were
 *   drawn before — so a crashed and replayed sweep produces the same configurations in the same order;
 * - duplicates: a draw equal to an earlier slot's configuration is redrawn with the next attempt number; after
 *   MAX_ATTEMPTS a finite space picks (seeded) among its unused configurations, and reports the space exhausted
 *   when there are none.
 */
import { seededRandom } from '../random.js';
import { configKey, type ParameterValue, type TrialConfig } from './config.js';
import { mixSeed, permuteIndex } from './hash.js';
import { domainSize, domainValues, inDomain, parameterDomain, type ParameterDomain, type ParameterSpec } from './parameters.js';
import { SpecialParameter } from './spec.js';

/** Redraws before giving up on random draws (a finite space then falls back to its list of unused configurations). */
export const MAX_ATTEMPTS = 64;
/** A finite space up to this size may be listed to find its unused configurations. */
export const ENUMERATION_LIMIT = 1_000_000;

export interface NamedDomain {
  name: string;
  domain: ParameterDomain;
}

/** The space's parameters in canonical (sorted-name) order. */
export function spaceDomains(space: Readonly<Record<string, ParameterSpec>>): NamedDomain[] {
  return Object.keys(space)
    .sort()
    .map((name) => ({ name, domain: parameterDomain(space[name] as ParameterSpec) }));
}

/** Number of distinct configurations: Infinity when a parameter is continuous or the product overflows 2^53. */
export function spaceSize(domains: readonly NamedDomain[]): number {
  const size = domains.reduce((product, { domain }) => product * domainSize(domain), 1);
  return Number.isSafeInteger(size) ? size : Infinity;
}

/** The configuration at position `index` of the lexicographic product (last parameter fastest). */
export function lexicographicConfig(domains: readonly NamedDomain[], index: number): TrialConfig {
  const config: Record<string, ParameterValue> = {};
  let rest = index;
  for (let i = domains.length - 1; i >= 0; i--) {
    const { name, domain } = domains[i] as NamedDomain;
    const values = domainValues(domain);
    config[name] = values[rest % values.length] as ParameterValue;
    rest = Math.floor(rest / values.length);
  }
  return config;
}

/** Grid slot `slot` (0-based) of a grid of `spaceSize` configurations, visited in the order seeded by `seed`. */
export function gridConfig(domains: readonly NamedDomain[], seed: number, slot: number): TrialConfig {
  const size = spaceSize(domains);
  if (!Number.isFinite(size)) throw new Error('grid search needs discrete parameters');
  return lexicographicConfig(domains, permuteIndex(slot, size, mixSeed(seed, 'grid')));
}

/** One uniform draw of a parameter from `random` (one number per parameter). */
export function sampleDomain(domain: ParameterDomain, random: () => number): ParameterValue {
  const u = random();
  switch (domain.kind) {
    case 'fixed':
      return domain.value;
    case 'choice':
      return domain.values[Math.floor(u * domain.values.length)] as ParameterValue;
    case 'int':
      return domain.low + Math.floor(u * domainSize(domain)) * domain.step;
    case 'uniform':
      return domain.low + u * (domain.high - domain.low);
    case 'loguniform': {
      const value = Math.exp(Math.log(domain.low) + u * (Math.log(domain.high) - Math.log(domain.low)));
      return Math.min(domain.high, Math.max(domain.low, value));
    }
  }
}

/**
 * The raw random draw for a slot and attempt, before duplicate checks: a function of (seed, slot, attempt) only.
 * Each parameter has its own stream, so adding a parameter to the space does not change the others' values.
 */
export function randomDraw(domains: readonly NamedDomain[], seed: number, slot: number, attempt = 0): TrialConfig {
  const config: Record<string, ParameterValue> = {};
  for (const { name, domain } of domains) config[name] = sampleDomain(domain, seededRandom(mixSeed(seed, 'random', slot, attempt, name)));
  return config;
}

export type SampleResult =
  | {
      ok: true;
      config: TrialConfig;
      key: string;
      /** Draws that collided with earlier configurations before this one (0 when the first draw was new). */
      attempts: number;
      /** How it was found: a fresh draw, or a seeded pick among the unused configurations of a nearly full space. */
      via: 'draw' | 'unused';
    }
  | { ok: false; reason: 'exhausted'; message: string };

/**
 * Slot `slot`'s random configuration, not equal to any configuration in `used` (configKey values of earlier slots).
 * Deterministic given (domains, seed, slot, used); `used` itself is a function of the seed for random search.
 */
export function randomConfig(domains: readonly NamedDomain[], seed: number, slot: number, used: ReadonlySet<string>): SampleResult {
  return firstUnused(domains, seed, slot, used, (attempt) => randomDraw(domains, seed, slot, attempt));
}

/**
 * Tries `draw(0)`, `draw(1)`, … until one is not in `used`; then falls back to the unused configurations of a finite
 * space; reports exhaustion when the space has none left. Shared by random search and TPE.
 */
export function firstUnused(
  domains: readonly NamedDomain[],
  seed: number,
  slot: number,
  used: ReadonlySet<string>,
  draw: (attempt: number) => TrialConfig,
): SampleResult {
  const size = spaceSize(domains);
  // Cheap test first: fewer used keys than configurations means some are left.
  if (Number.isFinite(size) && used.size >= size && countUsedInSpace(domains, used) >= size) return exhausted(size);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const config = draw(attempt);
    const key = configKey(config);
    if (!used.has(key)) return { ok: true, config, key, attempts: attempt, via: 'draw' };
  }
  if (!Number.isFinite(size) || size > ENUMERATION_LIMIT) {
    return { ok: false, reason: 'exhausted', message: `no unused configuration found in ${MAX_ATTEMPTS} draws (the space is too large to list)` };
  }
  const unused: TrialConfig[] = [];
  for (let index = 0; index < size; index++) {
    const config = lexicographicConfig(domains, index);
    if (!used.has(configKey(config))) unused.push(config);
  }
  if (unused.length === 0) return exhausted(size);
  const pick = unused[Math.floor(seededRandom(mixSeed(seed, 'unused', slot))() * unused.length)] as TrialConfig;
  return { ok: true, config: pick, key: configKey(pick), attempts: MAX_ATTEMPTS, via: 'unused' };
}

function countUsedInSpace(domains: readonly NamedDomain[], used: ReadonlySet<string>): number {
  // `used` may hold keys from outside the space (a resumed sweep whose spec was edited): count only those inside it.
  const names = domains.map((d) => d.name);
  let count = 0;
  for (const key of used) {
    const config = JSON.parse(key) as Record<string, ParameterValue>;
    const inside = names.length === Object.keys(config).length && domains.every(({ name, domain }) => name in config && inDomain(domain, config[name] as ParameterValue));
    if (inside) count++;
  }
  return count;
}

function exhausted(size: number): SampleResult {
  return { ok: false, reason: 'exhausted', message: `all ${size} configurations of the space have been tried` };
}

/** Trial → (slot, repeat): with `repeats` r, trials r·k … r·k + r − 1 share slot k's configuration. */
export function trialSlot(trial: number, repeats: number): { slot: number; repeat: number } {
  return { slot: Math.floor(trial / repeats), repeat: trial % repeats };
}

/** What a trial's configuration means for the job it launches. */
export interface TrialSettings {
  /** Handed to the trainer as `hyperparameters`. */
  hyperparameters: Record<string, ParameterValue>;
  /** Multiplies the range test's suggested max LR. @default 1 */
  lrFactor: number;
  batchSize?: number;
  epochs?: number;
}

export function trialSettings(config: TrialConfig): TrialSettings {
  const settings: TrialSettings = { hyperparameters: {}, lrFactor: 1 };
  for (const [name, value] of Object.entries(config)) {
    if (name === SpecialParameter.lrFactor) settings.lrFactor = Number(value);
    else if (name === SpecialParameter.batchSize) settings.batchSize = Number(value);
    else if (name === SpecialParameter.epochs) settings.epochs = Number(value);
    else settings.hyperparameters[name] = value;
  }
  return settings;
}

/** The range-test group of a configuration: canonical JSON of its lrGroups parameters (`{}` with no groups). */
export function lrGroupKey(config: TrialConfig, lrGroups: readonly string[] = []): string {
  const group: Record<string, ParameterValue> = {};
  for (const name of lrGroups) if (name in config) group[name] = config[name] as ParameterValue;
  return configKey(group);
}

/** Every range-test group of a space (lrGroups parameters are discrete), in lexicographic order. */
export function lrGroupConfigs(space: Readonly<Record<string, ParameterSpec>>, lrGroups: readonly string[] = []): TrialConfig[] {
  const domains = spaceDomains(space).filter(({ name }) => lrGroups.includes(name));
  const size = spaceSize(domains);
  if (!Number.isFinite(size)) throw new Error('lrGroups parameters must be discrete');
  return Array.from({ length: size }, (_, index) => lexicographicConfig(domains, index));
}
