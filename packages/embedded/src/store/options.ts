import type { Journal } from '../contracts.js';

/** Options of the embedded engine's store and router. */
export interface EngineOptions {
  /**
   * Source of the current time, epoch ms (`now` in date math, creation dates).
   * @defaultValue `Date.now`
   */
  readonly clock?: () => number;
  /**
   * Where applied mutations are appended for durability; none keeps everything in memory.
   * @defaultValue `undefined` (in memory)
   */
  readonly journal?: Journal;
  /**
   * Version reported by `GET /` (an 8.x version, so that clients and test runners accept it).
   * @defaultValue `'8.19.0'`
   */
  readonly version?: string;
  /**
   * `cluster_name` reported by `GET /` and `_cluster/health`.
   * @defaultValue `'esjobs-embedded'`
   */
  readonly clusterName?: string;
  /**
   * `name` of the single node.
   * @defaultValue `'embedded'`
   */
  readonly nodeName?: string;
  /**
   * Refresh interval of indices whose settings do not set `refresh_interval`, like Elasticsearch.
   * @defaultValue `1000`
   */
  readonly defaultRefreshIntervalMs?: number;
  /**
   * Fault injection: extra delay added before every scheduled refresh.
   * @defaultValue `0`
   */
  readonly refreshDelayMs?: number;
}

export type ResolvedEngineOptions = Required<Omit<EngineOptions, 'journal'>> & { readonly journal: Journal | undefined };

export const engineVersionDefault = '8.19.0';
export const clusterNameDefault = 'esjobs-embedded';
export const nodeNameDefault = 'embedded';
export const defaultRefreshIntervalMsDefault = 1000;
export const refreshDelayMsDefault = 0;

export function withDefaults(options: EngineOptions = {}): ResolvedEngineOptions {
  return {
    clock: options.clock ?? Date.now,
    journal: options.journal,
    version: options.version ?? engineVersionDefault,
    clusterName: options.clusterName ?? clusterNameDefault,
    nodeName: options.nodeName ?? nodeNameDefault,
    defaultRefreshIntervalMs: options.defaultRefreshIntervalMs ?? defaultRefreshIntervalMsDefault,
    refreshDelayMs: options.refreshDelayMs ?? refreshDelayMsDefault,
  };
}

/** Throws a TypeError naming the field and the bad value. */
export function validate(options: ResolvedEngineOptions): ResolvedEngineOptions {
  if (typeof options.clock !== 'function') throw new TypeError(`engine option clock must be a function, got ${String(options.clock)}`);
  if (!/^8\.\d+\.\d+/.test(options.version)) throw new TypeError(`engine option version must be an 8.x version, got ${JSON.stringify(options.version)}`);
  for (const key of ['clusterName', 'nodeName'] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') throw new TypeError(`engine option ${key} must be a non-empty string, got ${JSON.stringify(options[key])}`);
  }
  if (!Number.isFinite(options.defaultRefreshIntervalMs) || (options.defaultRefreshIntervalMs < 0 && options.defaultRefreshIntervalMs !== -1)) {
    throw new TypeError(`engine option defaultRefreshIntervalMs must be >= 0 or -1, got ${String(options.defaultRefreshIntervalMs)}`);
  }
  checkDelay('refreshDelayMs', options.refreshDelayMs);
  return options;
}

export function checkDelay(field: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`engine option ${field} must be a finite number >= 0, got ${String(ms)}`);
}
