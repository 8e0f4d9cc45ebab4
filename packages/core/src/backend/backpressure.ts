/**
 * Backpressure state shared by one backend context: the current retry wait, the recent rate of
 * 429/503 rejections, and batch-size advisors for the callers that send many jobs per request
 * (claim, heartbeat, bulk writes). Advisors shrink multiplicatively when the cluster pushes back and
 * grow back additively while it does not, the way Kibana's task manager adjusts its capacity.
 */
import type { Clock } from '../clock.js';
import { ValidationError } from '../errors.js';
import type { ResolvedBackpressureOptions } from '../options/backpressure.js';

export interface BatchSizeLimits {
  /** Size when nothing pushed back; the advisor never exceeds it. */
  readonly max: number;
  /** Floor the advisor never shrinks below. @defaultValue 1 */
  readonly min?: number;
}

/** Recommends how many items a batching caller should send per request right now. */
export interface BatchSizeAdvisor {
  readonly name: string;
  /** Current recommended batch size (recovers lazily with the clock). */
  readonly size: number;
  /** `min(wanted, size)`, at least 1 when `wanted` ≥ 1. */
  limit(wanted: number): number;
  /** The cluster pushed back on this caller: shrink. */
  shrink(): void;
}

export interface BackpressureSnapshot {
  /** Wait before the last retry, while a request is retrying; 0 after a success. */
  readonly currentBackoffMs: number;
  /** 429/503 rejections (responses and bulk items) within the rate window. */
  readonly recentRejections: number;
  /** Requests (and bulk items reported) within the rate window. */
  readonly recentRequests: number;
  /** recentRejections / recentRequests (0 when idle). */
  readonly recentRejectionRate: number;
  readonly batchSizes: Readonly<Record<string, number>>;
}

/** What was rejected, for listeners that report each push-back (e.g. the `backpressure` event). */
export interface RejectionDetail {
  /** Backend operation name. */
  readonly op?: string;
  /** 429 or 503. */
  readonly status?: number;
  /** Wait before the retry (absent when not retried, e.g. bulk items or a final give-up). */
  readonly delayMs?: number;
  /** Retry number for this request, from 1. */
  readonly attempt?: number;
}

/** Called with the state and, for a rejection, its detail (undefined when the backoff clears). */
export type BackpressureListener = (snapshot: BackpressureSnapshot, detail: RejectionDetail | undefined) => void;

// Per-second buckets for the sliding rate window.
const BUCKET_MS = 1_000;
// Rejection rate that decides whether advisors shrink is taken over this much recent time (or the
// rate window, if shorter): long enough to average out sporadic 429s, short enough to react.
const SHRINK_WINDOW_MS = 10_000;

class Advisor implements BatchSizeAdvisor {
  private current: number;
  private lastChangeAt: number;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly name: string,
    private readonly max: number,
    private readonly min: number,
    private readonly clock: Clock,
    private readonly options: ResolvedBackpressureOptions,
  ) {
    this.current = max;
    this.lastChangeAt = clock.now();
  }

  get size(): number {
    this.recover();
    return this.current;
  }

  limit(wanted: number): number {
    if (wanted < 1) return 0;
    return Math.max(1, Math.min(wanted, this.size));
  }

  shrink(): void {
    const now = this.clock.now();
    if (now - this.lastDecreaseAt < this.options.decreaseCooldownMs) return;
    this.recover();
    this.current = Math.max(this.min, Math.floor(this.current * this.options.decreaseFactor));
    this.lastDecreaseAt = now;
    this.lastChangeAt = now;
  }

  private recover(): void {
    if (this.current >= this.max) return;
    const now = this.clock.now();
    const steps = Math.floor((now - this.lastChangeAt) / this.options.recoverIntervalMs);
    if (steps <= 0) return;
    const step = Math.max(1, Math.floor(this.max * this.options.increaseFraction));
    this.current = Math.min(this.max, this.current + steps * step);
    this.lastChangeAt += steps * this.options.recoverIntervalMs;
  }
}

export class BackpressureMonitor {
  private readonly advisors = new Map<string, Advisor>();
  private readonly listeners = new Set<BackpressureListener>();
  private readonly buckets = new Map<number, { requests: number; rejections: number }>();
  private backoffMs = 0;

  constructor(
    private readonly clock: Clock,
    readonly options: ResolvedBackpressureOptions,
  ) {}

  /**
   * The advisor for one batching caller, created on first use with its limits; later calls with
   * the same name return the same advisor (limits of the first call win).
   */
  batchSize(name: string, limits: BatchSizeLimits): BatchSizeAdvisor {
    const existing = this.advisors.get(name);
    if (existing !== undefined) return existing;
    const min = limits.min ?? 1;
    if (!Number.isInteger(limits.max) || limits.max < 1) throw new ValidationError(`batchSize(${name}).max`, limits.max, 'must be a positive integer');
    if (!Number.isInteger(min) || min < 1 || min > limits.max) throw new ValidationError(`batchSize(${name}).min`, min, `must be an integer from 1 to max (${limits.max})`);
    const advisor = new Advisor(name, limits.max, min, this.clock, this.options);
    this.advisors.set(name, advisor);
    return advisor;
  }

  /** `n` requests (or bulk items) went through without pushback. */
  recordSuccess(n = 1): void {
    this.bucket().requests += n;
    if (this.backoffMs !== 0) {
      this.backoffMs = 0;
      this.notify(undefined);
    }
  }

  /**
   * `n` requests (or bulk items) were rejected with 429/503: counts them and, when rejections
   * make up at least `shrinkAboveRate` of recent traffic, shrinks every advisor, since a saturated
   * cluster slows all callers alike. Sporadic rejections below that rate are only retried: a
   * batch size cut on each of them would take minutes to grow back.
   */
  recordRejection(n = 1, detail: RejectionDetail = {}): void {
    const b = this.bucket();
    b.requests += n;
    b.rejections += n;
    if (detail.delayMs !== undefined) this.backoffMs = detail.delayMs;
    if (this.advisors.size > 0 && this.rate(Math.min(SHRINK_WINDOW_MS, this.options.rateWindowMs)) >= this.options.shrinkAboveRate) {
      for (const a of this.advisors.values()) a.shrink();
    }
    this.notify(detail);
  }

  get currentBackoffMs(): number {
    return this.backoffMs;
  }

  snapshot(): BackpressureSnapshot {
    const cutoff = this.clock.now() - this.options.rateWindowMs;
    let requests = 0;
    let rejections = 0;
    for (const [start, b] of this.buckets) {
      if (start + BUCKET_MS <= cutoff) {
        this.buckets.delete(start);
        continue;
      }
      requests += b.requests;
      rejections += b.rejections;
    }
    const batchSizes: Record<string, number> = {};
    for (const [name, a] of this.advisors) batchSizes[name] = a.size;
    return {
      currentBackoffMs: this.backoffMs,
      recentRejections: rejections,
      recentRequests: requests,
      recentRejectionRate: requests === 0 ? 0 : rejections / requests,
      batchSizes,
    };
  }

  /** Rejections / requests over the last `windowMs` (whole buckets). */
  private rate(windowMs: number): number {
    const cutoff = this.clock.now() - windowMs;
    let requests = 0;
    let rejections = 0;
    for (const [start, b] of this.buckets) {
      if (start + BUCKET_MS <= cutoff) continue;
      requests += b.requests;
      rejections += b.rejections;
    }
    return requests === 0 ? 0 : rejections / requests;
  }

  /** Called after every rejection and when the backoff clears (e.g. to emit a `backpressure` event). */
  subscribe(listener: BackpressureListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private bucket(): { requests: number; rejections: number } {
    const start = Math.floor(this.clock.now() / BUCKET_MS) * BUCKET_MS;
    let b = this.buckets.get(start);
    if (b === undefined) {
      b = { requests: 0, rejections: 0 };
      this.buckets.set(start, b);
      // keep memory bounded even if nobody reads snapshots
      if (this.buckets.size > this.options.rateWindowMs / BUCKET_MS + 2) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
    }
    return b;
  }

  private notify(detail: RejectionDetail | undefined): void {
    if (this.listeners.size === 0) return;
    const snap = this.snapshot();
    for (const l of this.listeners) {
      try {
        l(snap, detail);
      } catch {
        // a listener's bug must not break the request path
      }
    }
  }
}
