/**
 * Buffers complete / fail / release writes for a few milliseconds and sends them as one settle
 * bulk, so finishing N jobs costs one request instead of N. A batch whose request fails (cluster
 * unreachable, restart) is retried with backoff until `retryForMs` runs out; its jobs keep their
 * leases meanwhile because the worker heartbeats them until they are settled.
 */
import { type BackendContext, type SettleOutcome, type SettleRequest, settle } from '@esjobs/core';
import type { Logger } from './logger.js';

interface Pending {
  readonly request: SettleRequest;
  readonly resolve: (outcome: SettleOutcome) => void;
  readonly reject: (err: unknown) => void;
}

export interface SettleBufferOptions {
  /** How long a write waits for company. @defaultValue 5 */
  readonly flushMs?: number;
  /** Flush at once at this many writes. @defaultValue 500 */
  readonly maxBatch?: number;
  /** Keep retrying a failed batch this long. @defaultValue 60000 */
  readonly retryForMs?: number;
  readonly logger: Logger;
}

export class SettleBuffer {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly retryForMs: number;
  private readonly logger: Logger;
  /** Requests sent, for the requests-per-job figure. */
  requests = 0;

  constructor(
    private readonly ctx: BackendContext,
    options: SettleBufferOptions,
  ) {
    this.flushMs = options.flushMs ?? 5;
    this.maxBatch = options.maxBatch ?? 500;
    this.retryForMs = options.retryForMs ?? 60_000;
    this.logger = options.logger;
  }

  submit(request: SettleRequest): Promise<SettleOutcome> {
    return new Promise<SettleOutcome>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      const limit = this.ctx.backpressure.batchSize('settle', { max: this.maxBatch }).size;
      if (this.pending.length >= limit) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.flushMs);
    });
  }

  /** Send everything buffered and wait for every batch in flight. */
  async flush(): Promise<void> {
    this.flushNow();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private flushNow(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const p = this.send(batch).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async send(batch: Pending[]): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        this.requests++;
        const outcomes = await settle(this.ctx, batch.map((b) => b.request));
        batch.forEach((b, i) => {
          const o = outcomes[i];
          if (o === undefined) b.reject(new Error('settle returned no outcome'));
          else b.resolve(o);
        });
        return;
      } catch (err) {
        const waited = Date.now() - started;
        if (waited >= this.retryForMs) {
          for (const b of batch) b.reject(err);
          return;
        }
        const delay = Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
        this.logger.warn('settle write failed; retrying', { jobs: batch.length, attempt, delayMs: Math.round(delay), error: err instanceof Error ? err.message : String(err) });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
