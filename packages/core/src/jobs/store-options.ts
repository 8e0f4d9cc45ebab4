/**
 * JobStore options: defaults, `withDefaults()` and `validate()`.
 */
import { parseDuration } from '../duration.js';
import type { Duration } from '../duration.js';
import { ValidationError } from '../errors.js';

export interface JobStoreOptions {
  /** Lease given to claimed jobs when the caller does not pass one. @defaultValue `'30s'` */
  readonly lease?: Duration;
  /** Claim candidates fetched per free slot. @defaultValue `4` */
  readonly claimOversample?: number;
  /**
   * Drop stale claim candidates with a real-time `_mget` before writing, when searching the head
   * shared with other claimers. A claimer's own partition slice is claimed from the search hits
   * directly, and stealing from other slices always checks.
   * @defaultValue `true`
   */
  readonly verifyCandidates?: boolean;
  /** How long completions and failures wait to share a bulk. @defaultValue `'5ms'` */
  readonly writeBufferDelay?: Duration;
  /** Flush the write buffer at once when it holds this many writes. @defaultValue `500` */
  readonly writeBufferMaxItems?: number;
  /** How long the set of paused queues is cached (local pause/resume invalidate it). @defaultValue `'1s'` */
  readonly pausedCacheTtl?: Duration;
  /** Job ids remembered per claimer as recently claimed or lost. @defaultValue `20000` */
  readonly recentClaimsMax?: number;
  /** Exclude from claim searches the jobs seen claimed this recently (cover the refresh interval). @defaultValue `'3s'` */
  readonly claimExcludeWindow?: Duration;
  /** Most job ids excluded from one claim search. @defaultValue `2000` */
  readonly claimExcludeMax?: number;
  /** Pages a claim reads when the first holds too few fresh candidates. @defaultValue `3` */
  readonly claimMaxPages?: number;
  /**
   * How long a claimer continues down its slice from where its last claim stopped (search_after)
   * before searching from the head again: bounds how long a job sorted before the cursor (higher
   * priority, or an earlier runAt just due) can wait. `0` searches from the head every time.
   * @defaultValue `'1s'`
   */
  readonly claimCursorMaxAge?: Duration;
  /**
   * After a full batch, a claimer starts the search for the next batch while this
   * one is written, so a busy claimer waits for one round trip per claim instead of two. Only
   * candidates are fetched ahead, never leases: nothing waits in a worker that others could run.
   * @defaultValue `true`
   */
  readonly claimLookahead?: boolean;
}

export const leaseMsDefault = 30_000;
export const claimOversampleDefault = 4;
export const verifyCandidatesDefault = true;
export const writeBufferDelayMsDefault = 5;
export const writeBufferMaxItemsDefault = 500;
export const pausedCacheTtlMsDefault = 1_000;
export const recentClaimsMaxDefault = 20_000;
export const claimExcludeWindowMsDefault = 3_000;
export const claimExcludeMaxDefault = 2_000;
export const claimMaxPagesDefault = 3;
export const claimCursorMaxAgeMsDefault = 1_000;
export const claimLookaheadDefault = true;

export interface ResolvedJobStoreOptions {
  readonly leaseMs: number;
  readonly claimOversample: number;
  readonly verifyCandidates: boolean;
  readonly writeBufferDelayMs: number;
  readonly writeBufferMaxItems: number;
  readonly pausedCacheTtlMs: number;
  readonly recentClaimsMax: number;
  readonly claimExcludeWindowMs: number;
  readonly claimExcludeMax: number;
  readonly claimMaxPages: number;
  readonly claimCursorMaxAgeMs: number;
  readonly claimLookahead: boolean;
}

const KNOWN = [
  'lease',
  'claimOversample',
  'verifyCandidates',
  'writeBufferDelay',
  'writeBufferMaxItems',
  'pausedCacheTtl',
  'recentClaimsMax',
  'claimExcludeWindow',
  'claimExcludeMax',
  'claimMaxPages',
  'claimCursorMaxAge',
  'claimLookahead',
];

function bool(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, value, 'must be true or false');
  return value;
}

function positiveNumber(field: string, value: unknown, integer: boolean, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
    throw new ValidationError(field, value, `must be a positive ${integer ? 'integer' : 'number'} up to ${max}`);
  }
  return value;
}

export function withDefaults(options: JobStoreOptions = {}): ResolvedJobStoreOptions {
  return {
    leaseMs: options.lease === undefined ? leaseMsDefault : parseDuration('lease', options.lease),
    claimOversample: options.claimOversample === undefined ? claimOversampleDefault : positiveNumber('claimOversample', options.claimOversample, false, 100),
    verifyCandidates: options.verifyCandidates ?? verifyCandidatesDefault,
    writeBufferDelayMs:
      options.writeBufferDelay === undefined ? writeBufferDelayMsDefault : parseDuration('writeBufferDelay', options.writeBufferDelay, { allowZero: true }),
    writeBufferMaxItems:
      options.writeBufferMaxItems === undefined ? writeBufferMaxItemsDefault : positiveNumber('writeBufferMaxItems', options.writeBufferMaxItems, true, 10_000),
    pausedCacheTtlMs: options.pausedCacheTtl === undefined ? pausedCacheTtlMsDefault : parseDuration('pausedCacheTtl', options.pausedCacheTtl, { allowZero: true }),
    recentClaimsMax: options.recentClaimsMax === undefined ? recentClaimsMaxDefault : positiveNumber('recentClaimsMax', options.recentClaimsMax, true, 10_000_000),
    claimExcludeWindowMs:
      options.claimExcludeWindow === undefined ? claimExcludeWindowMsDefault : parseDuration('claimExcludeWindow', options.claimExcludeWindow, { allowZero: true }),
    claimExcludeMax: options.claimExcludeMax === undefined ? claimExcludeMaxDefault : positiveNumber('claimExcludeMax', options.claimExcludeMax, true, 60_000),
    claimMaxPages: options.claimMaxPages === undefined ? claimMaxPagesDefault : positiveNumber('claimMaxPages', options.claimMaxPages, true, 100),
    claimCursorMaxAgeMs:
      options.claimCursorMaxAge === undefined ? claimCursorMaxAgeMsDefault : parseDuration('claimCursorMaxAge', options.claimCursorMaxAge, { allowZero: true }),
    claimLookahead: options.claimLookahead === undefined ? claimLookaheadDefault : bool('claimLookahead', options.claimLookahead),
  };
}

export function validate(options: unknown): ResolvedJobStoreOptions {
  if (options === undefined) return withDefaults();
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ValidationError('options', options, 'must be an object');
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) throw new ValidationError(key, o[key], `unknown JobStore option (known: ${KNOWN.join(', ')})`);
  }
  if (o['verifyCandidates'] !== undefined && typeof o['verifyCandidates'] !== 'boolean') {
    throw new ValidationError('verifyCandidates', o['verifyCandidates'], 'must be a boolean');
  }
  return withDefaults(o as JobStoreOptions);
}
