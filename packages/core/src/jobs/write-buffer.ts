/**
 * Collects writes for a few milliseconds and sends them as one batch, so completions and failures
 * of many jobs share one request. Each caller gets its own outcome (or error) back. The delay is
 * a batching window in real time, not job time, so it uses timers rather than the injected clock.
 */
/** One caller waiting for the outcome of its request in a batch. */
export interface Pending<Req, Out> {
  readonly request: Req;
  readonly resolve: (out: Out) => void;
  readonly reject: (err: unknown) => void;
}

export type BatchFn<Req, Out> = (requests: readonly Req[]) => Promise<readonly Out[]>;

/**
 * Send a batch and give each caller its own outcome (by position); a failed request rejects
 * every caller in it. `what` names a request in the error for a missing outcome.
 */
export async function sendBatch<Req, Out>(send: BatchFn<Req, Out>, batch: readonly Pending<Req, Out>[], what: string): Promise<void> {
  try {
    const outs = await send(batch.map((b) => b.request));
    batch.forEach((b, i) => {
      const out = outs[i];
      if (out === undefined) b.reject(new Error(`no outcome for ${what}`));
      else b.resolve(out);
    });
  } catch (err) {
    for (const b of batch) b.reject(err);
  }
}

export class WriteBuffer<Req, Out> {
  private pending: Pending<Req, Out>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = new Set<Promise<void>>();
  private flushes = 0;

  constructor(
    private readonly send: BatchFn<Req, Out>,
    private readonly delayMs: number,
    private readonly maxItems: number,
  ) {}

  /** Number of batches sent so far. */
  get batches(): number {
    return this.flushes;
  }

  add(request: Req): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (this.pending.length >= this.maxItems) void this.flush();
      else if (this.timer === undefined) this.timer = setTimeout(() => void this.flush(), this.delayMs);
    });
  }

  /** Send what is pending now; resolves when every batch sent so far has settled. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      this.flushes++;
      const p = sendBatch(this.send, batch, 'a write');
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
    await Promise.all([...this.inFlight]);
  }
}
