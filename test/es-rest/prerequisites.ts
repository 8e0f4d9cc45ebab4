/**
 * `skip` and `requires` sections, decided the way Elasticsearch's YAML runner decides them:
 * version ranges (`" - 7.99.99"`, `"8.1.0 - "`, `"all"`, comma lists), runner features,
 * cluster features (historical `gte_vX.Y.Z` ones follow the engine's version), `awaits_fix`,
 * `os`, and capabilities (asked of the engine).
 */
import { show } from './compare.js';

/** Runner features this runner implements (`warnings` ones are honoured loosely: not enforced). */
export const supportedRunnerFeatures: ReadonlySet<string> = new Set([
  'allowed_warnings',
  'allowed_warnings_regex',
  'warnings',
  'warnings_regex',
  'headers',
  'contains',
  'close_to',
  'default_shards',
  'stash_in_key',
  'stash_in_path',
  'stash_path_replace',
  'embedded_stash_key',
  'arbitrary_key',
  'capabilities',
  'catch_unauthorized',
]);

/** What the target reports about itself; cluster features it implements are listed by name. */
export interface ClusterInfo {
  readonly version: readonly [number, number, number];
  readonly features: ReadonlySet<string>;
  /** Ask the target whether it has the capabilities; false when it cannot say. */
  readonly hasCapabilities: (check: CapabilityCheck) => Promise<boolean>;
}

export interface CapabilityCheck {
  readonly method: string;
  readonly path: string;
  readonly parameters?: readonly string[];
  readonly capabilities?: readonly string[];
}

/** A decision to skip, with the category used for the per-reason count. */
export interface SkipDecision {
  readonly category: string;
  readonly reason: string;
}

export function parseVersion(text: string): [number, number, number] {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim());
  if (m === null) throw new Error(`bad version [${text}]`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function cmp(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when `version` falls in the range list (`"all"`, `"a - b"`, open ends, comma lists). */
export function versionInRanges(ranges: string, version: readonly [number, number, number]): boolean {
  for (const part of ranges.split(',')) {
    const range = part.trim();
    if (range === '') continue;
    if (range === 'all') return true;
    const dash = range.indexOf('-');
    if (dash < 0) {
      if (cmp(version, parseVersion(range)) === 0) return true;
      continue;
    }
    const lo = range.slice(0, dash).trim();
    const hi = range.slice(dash + 1).trim();
    const aboveLo = lo === '' || cmp(version, parseVersion(lo)) >= 0;
    const belowHi = hi === '' || cmp(version, parseVersion(hi)) <= 0;
    if (aboveLo && belowHi) return true;
  }
  return false;
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v) => String(v));
  return [String(value)];
}

/** A cluster feature is present when listed, or for `gte_vX.Y.Z` when the version reaches X.Y.Z. */
export function hasClusterFeature(feature: string, info: ClusterInfo): boolean {
  const historical = /^gte_v(\d+\.\d+\.\d+)$/.exec(feature);
  if (historical?.[1] !== undefined) return cmp(info.version, parseVersion(historical[1])) >= 0;
  return info.features.has(feature);
}

function reasonOf(section: Record<string, unknown>): string {
  return typeof section['reason'] === 'string' ? section['reason'] : '';
}

function capabilityChecks(value: unknown): CapabilityCheck[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter((c): c is CapabilityCheck => c !== null && typeof c === 'object');
}

/**
 * Decide a `skip` or `requires` section. Returns undefined when the test should run.
 */
export async function evaluatePrerequisite(
  kind: 'skip' | 'requires',
  raw: unknown,
  info: ClusterInfo,
): Promise<SkipDecision | undefined> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { category: 'malformed skip/requires section', reason: `${kind}: ${show(raw)}` };
  }
  const section = raw as Record<string, unknown>;
  const reason = reasonOf(section);
  // Runner features: both `skip.features` and `requires.test_runner_features` mean "run only if the runner has them".
  const runnerFeatures = [...list(section['features']), ...list(section['test_runner_features'])];
  const missing = runnerFeatures.filter((f) => !supportedRunnerFeatures.has(f));
  if (missing.length > 0) {
    return {
      category: `YAML runner feature not implemented: ${missing.join(', ')}`,
      reason: `runner lacks feature [${missing.join(', ')}]`,
    };
  }
  if (kind === 'skip') {
    if (typeof section['version'] === 'string' && versionInRanges(section['version'], info.version)) {
      return { category: 'Elasticsearch skip: version range', reason: `skip version [${section['version']}]: ${reason}` };
    }
    if (section['awaits_fix'] !== undefined) {
      return { category: 'Elasticsearch skip: awaits_fix', reason: `awaits_fix: ${String(section['awaits_fix'])}` };
    }
    const present = list(section['cluster_features']).filter((f) => hasClusterFeature(f, info));
    if (present.length > 0) {
      return { category: 'Elasticsearch skip: cluster feature present', reason: `skip cluster_features [${present.join(', ')}]: ${reason}` };
    }
    if (section['known_issues'] !== undefined) {
      return { category: 'Elasticsearch skip: known issue', reason: `known_issues: ${reason}` };
    }
    if (section['os'] !== undefined && list(section['os']).includes(osName())) {
      return { category: 'Elasticsearch skip: os', reason: `os [${osName()}]: ${reason}` };
    }
    for (const check of capabilityChecks(section['capabilities'] ?? [])) {
      if (await info.hasCapabilities(check)) {
        return { category: 'Elasticsearch skip: capability present', reason: `capability ${show(check)}: ${reason}` };
      }
    }
    return undefined;
  }
  const absent = list(section['cluster_features']).filter((f) => !hasClusterFeature(f, info));
  if (absent.length > 0) {
    return {
      category: 'Elasticsearch requires: cluster feature the engine does not have',
      reason: `requires cluster_features [${absent.join(', ')}]: ${reason}`,
    };
  }
  for (const check of capabilityChecks(section['capabilities'] ?? [])) {
    if (!(await info.hasCapabilities(check))) {
      return {
        category: 'Elasticsearch requires: capability the engine does not report',
        reason: `requires capability ${show(check)}: ${reason}`,
      };
    }
  }
  return undefined;
}

function osName(): string {
  return process.platform === 'darwin' ? 'mac' : process.platform;
}
