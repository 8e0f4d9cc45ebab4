/**
 * The publishing half of the Elasticsearch transport: taps the bus, numbers each local event
 * (per-origin sequence from 1), buffers, and writes batches with one bulk of `create`s every
 * `flushEveryMs`. One bulk is in flight at a time, so an origin's events reach the index in
 * sequence order except when an item is retried; the tail copes with that (gap filling).
 */
import type { BackendContext } from '../backend/context.js';
import { eventsWrite } from '../backend/events-write.js';
import { errorInfo } from './error-info.js';
import type { EventBus } from './event-bus.js';
import { envelopeOf, eventId, type EventDoc } from './event-doc.js';
import type { EsJobsEvents, EventName } from './event-map.js';
import type { ResolvedTransportOptions } from './transport-options.js';

export const TRANSPORT_COMPONENT = 'event-transport';
const RETRY_MAX_MS = 5_000;

export interface WriterStats {
  readonly buffered: number;
  readonly written: number;
  /** Events given up: unserializable, rejected for good, or pushed out of a full buffer. */
  readonly dropped: number;
  readonly failedRequests: number;
}

export class EventWriter {
  private seq = 0;
  private buffer: EventDoc[] = [];
  private written = 0;
  private dropped = 0;
  private failedRequests = 0;
  private untap: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stop = new AbortController();
  private wake = new AbortController();
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly ctx: BackendContext,
    private readonly bus: EventBus,
    private readonly origin: string,
    private readonly o: ResolvedTransportOptions,
  ) {}

  get stats(): WriterStats {
    return { buffered: this.buffer.length, written: this.written, dropped: this.dropped, failedRequests: this.failedRequests };
  }

  start(): void {
    if (this.untap !== undefined) return;
    this.stop = new AbortController();
    this.untap = this.bus.tap((event, payload) => this.capture(event, payload));
    this.loop = this.run();
  }

  /** Write everything buffered so far; resolves when written or when `attempts` flushes failed. */
  async flush(attempts = 5): Promise<void> {
    for (let i = 0; i < attempts && this.buffer.length > 0; ) {
      const ok = await this.writeBatch();
      if (!ok) i++;
    }
  }

  async close(): Promise<void> {
    this.untap?.();
    this.untap = undefined;
    this.stop.abort();
    this.wake.abort();
    await this.loop;
    this.loop = undefined;
    await this.flush();
  }

  private capture<E extends EventName>(event: E, payload: EsJobsEvents[E]): void {
    if (this.o.events !== undefined && !this.o.events.has(event)) return;
    // The transport's own errors stay local, or a broken cluster would feed itself.
    if (event === 'error' && (payload as EsJobsEvents['error']).component === TRANSPORT_COMPONENT) return;
    let copy: Record<string, unknown>;
    try {
      copy = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
    } catch (err) {
      this.dropped++;
      this.reportError(err);
      return;
    }
    delete copy.origin;
    const seq = ++this.seq;
    this.buffer.push({ eventId: eventId(this.origin, seq), origin: this.origin, seq, type: event, at: payload.at, ...envelopeOf(copy), payload: copy });
    if (this.buffer.length > this.o.maxBuffer) {
      this.buffer.shift();
      this.dropped++;
    }
    if (this.buffer.length >= this.o.maxBatch) this.wake.abort();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stop.signal.aborted) {
      const delay = failures === 0 ? this.o.flushEveryMs : Math.min(RETRY_MAX_MS, this.o.flushEveryMs * 2 ** failures);
      this.wake = new AbortController();
      try {
        await this.ctx.clock.sleep(delay, AbortSignal.any([this.stop.signal, this.wake.signal]));
      } catch {
        // woken early: a full batch is waiting or we are closing
      }
      if (this.stop.signal.aborted) return;
      while (this.buffer.length > 0 && !this.stop.signal.aborted) {
        if (await this.writeBatch()) failures = 0;
        else {
          failures++;
          break;
        }
      }
    }
  }

  /** One bulk; returns false when the request failed or items must be retried. */
  private async writeBatch(): Promise<boolean> {
    // close() may flush while the loop's last write is still out.
    while (this.inFlight !== undefined) await this.inFlight;
    const batch = this.buffer.splice(0, this.o.maxBatch);
    if (batch.length === 0) return true;
    const writing = this.write(batch);
    this.inFlight = writing.then(() => undefined);
    try {
      return await writing;
    } finally {
      this.inFlight = undefined;
    }
  }

  private async write(batch: EventDoc[]): Promise<boolean> {
    try {
      const res = await eventsWrite(this.ctx, batch);
      this.written += res.written.length;
      for (const f of res.failed) {
        this.dropped++;
        this.reportError(f.error);
      }
      if (res.retry.length === 0) return true;
      this.buffer.unshift(...res.retry);
      return false;
    } catch (err) {
      this.failedRequests++;
      this.buffer.unshift(...batch);
      this.reportError(err);
      return false;
    }
  }

  private reportError(err: unknown): void {
    this.bus.emit('error', { at: this.ctx.clock.now(), component: TRANSPORT_COMPONENT, error: errorInfo(err) });
  }
}
