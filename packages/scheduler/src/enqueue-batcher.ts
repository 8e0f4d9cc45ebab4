/**
 * Coalesces concurrent single enqueues into shared bulks. There is no timer: an enqueue goes out
 * at the end of the current event-loop turn, together with every enqueue made in that turn, so
 * a lone enqueue waits for nothing. Only while `maxInFlight` bulks are out do new enqueues queue
 * up, and they leave together as soon as one returns: the busier the producer, the bigger the
 * bulks, and a bulk's per-request cost is shared by all its jobs.
 *
 * Two jobs with the same id never share a bulk (the second would 409 against the first inside
 * one request); the second waits for the next bulk and then reports `existing`, as it would have
 * alone. Each caller gets its own outcome; a failed request rejects every caller in it.
 */
import { type BatchFn, type EnqueueOutcome, type NewJob, type Pending, sendBatch } from '@esjobs/core';

export type SendJobs = BatchFn<NewJob, EnqueueOutcome>;

type Waiting = Pending<NewJob, EnqueueOutcome>;

interface Batch {
  readonly items: Waiting[];
  readonly ids: Set<string>;
}

export class EnqueueBatcher {
  private readonly queued: Batch[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly settled = new Set<Promise<void>>();
  private bulks = 0;

  constructor(
    private readonly send: SendJobs,
    private readonly maxInFlight: number,
    private readonly maxItems: number,
  ) {}

  /** Bulk requests sent so far. */
  get batches(): number {
    return this.bulks;
  }

  add(job: NewJob): Promise<EnqueueOutcome> {
    return new Promise<EnqueueOutcome>((resolve, reject) => {
      let batch = this.queued.at(-1);
      if (batch === undefined || batch.items.length >= this.maxItems || batch.ids.has(job.id)) {
        batch = { items: [], ids: new Set() };
        this.queued.push(batch);
      }
      batch.items.push({ request: job, resolve, reject });
      batch.ids.add(job.id);
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Resolves when every enqueue added so far has its outcome. */
  async drain(): Promise<void> {
    while (this.settled.size > 0 || this.queued.length > 0) {
      this.pump();
      await Promise.all([...this.settled]);
    }
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      const batch = this.queued.shift();
      if (batch === undefined) return;
      this.inFlight++;
      this.bulks++;
      const p = sendBatch(this.send, batch.items, 'a job').finally(() => {
        this.inFlight--;
        this.settled.delete(p);
        // What queued up meanwhile leaves now, as one bulk.
        this.pump();
      });
      this.settled.add(p);
    }
  }
}
