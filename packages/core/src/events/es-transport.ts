/**
 * The Elasticsearch event transport: connects a process's EventBus to `<prefix>-events` so other
 * processes (workers, the CLI, dashboards) see its events and it sees theirs. Publishing is
 * event-writer.ts (batched bulk creates); subscribing is event-tail.ts (exactly once, in order
 * per origin, robust to slow refresh; the design is described there).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { BackendContext } from '../backend/context.js';
import type { EventBus } from './event-bus.js';
import { EventTail, type TailStats } from './event-tail.js';
import { EventWriter, type WriterStats } from './event-writer.js';
import { withTransportDefaults, type TransportOptions } from './transport-options.js';

export interface EsEventTransportOptions extends TransportOptions {
  readonly ctx: BackendContext;
  readonly bus: EventBus;
}

export interface TransportStats {
  readonly origin: string;
  readonly writer: WriterStats | undefined;
  readonly tail: TailStats | undefined;
}

export class EsEventTransport {
  readonly origin: string;
  private readonly writer: EventWriter | undefined;
  private readonly tail: EventTail | undefined;

  constructor(options: EsEventTransportOptions) {
    const { ctx, bus, ...rest } = options;
    const o = withTransportDefaults(rest);
    this.origin = o.origin ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.writer = o.publish ? new EventWriter(ctx, bus, this.origin, o) : undefined;
    this.tail = o.subscribe ? new EventTail(ctx, bus, this.origin, o) : undefined;
  }

  get stats(): TransportStats {
    return { origin: this.origin, writer: this.writer?.stats, tail: this.tail?.stats };
  }

  /** Start publishing and tailing (no-op when already started). */
  start(): this {
    this.writer?.start();
    this.tail?.start();
    return this;
  }

  /** Write what is buffered now. */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  /** Run one tail poll now (tests, CLIs); returns the number of events delivered. */
  async poll(): Promise<number> {
    return (await this.tail?.pollOnce()) ?? 0;
  }

  /** Stop tailing, write what is buffered, stop publishing. */
  async close(): Promise<void> {
    await this.tail?.close();
    await this.writer?.close();
  }
}

export function createEsEventTransport(options: EsEventTransportOptions): EsEventTransport {
  return new EsEventTransport(options);
}
