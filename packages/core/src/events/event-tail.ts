/**
 * The subscribing half of the Elasticsearch transport: finds other processes' events in
 * `<prefix>-events` and delivers each exactly once, in each origin's sequence order, into the bus.
 *
 * Why not a time cursor: `_search` only sees what has been refreshed, and refresh order is not
 * write order (slow or delayed refresh, several shards, a retried bulk item), so an event with
 * an older timestamp can appear after newer ones and a `search_after (at, id)` cursor would skip
 * it. Instead:
 * - Every event has a deterministic id `<origin>:<seq>` with a per-origin sequence without holes.
 * - The search asks only for what was not seen: per known origin `seq > highest seen`, and for
 *   unknown origins `at >= since`. Late-visible documents are simply found by a later poll.
 * - Holes below the highest seen sequence are filled by a real-time `_mget` of their ids; an
 *   origin's later events wait for the hole (at most `gapTimeoutMs`, after which the writer is
 *   assumed to have given the event up) so its events are delivered in order.
 * - On first sight of an origin, its preceding sequence numbers are fetched by id as long as they
 *   exist and are within `since`, so a partially refreshed batch is not cut in half.
 * - Deduplication is structural: sequences at or below the delivered mark are ignored.
 * Own events are excluded by the query (`origin` = self), so nothing echoes back.
 * Across origins, each poll's deliverable events are merged by timestamp.
 */
import type { BackendContext } from '../backend/context.js';
import { eventsGet } from '../backend/events-get.js';
import { eventsSearch } from '../backend/events-search.js';
import { errorInfo } from './error-info.js';
import type { EventBus } from './event-bus.js';
import { eventId, type EventDoc } from './event-doc.js';
import type { EsJobsEvents, EventName } from './event-map.js';
import type { ResolvedTransportOptions } from './transport-options.js';
import { TRANSPORT_COMPONENT } from './event-writer.js';

const GAP_FETCH_MAX = 1_000;
const BACKFILL_STEP = 64;

interface OriginState {
  /** Highest sequence delivered (or skipped). */
  delivered: number;
  /** Highest sequence the search has returned. */
  maxSeen: number;
  readonly pending: Map<number, EventDoc>;
  /** When the current hole was first noticed. */
  gapSince: number | undefined;
}

export interface TailStats {
  readonly polls: number;
  readonly delivered: number;
  /** Sequence numbers given up after `gapTimeoutMs`. */
  readonly skipped: number;
  readonly origins: number;
  readonly failedPolls: number;
}

export class EventTail {
  private readonly origins = new Map<string, OriginState>();
  /** Events of origins not seen yet count from here (epoch ms). */
  private readonly since: number;
  private polls = 0;
  private delivered = 0;
  private skipped = 0;
  private failedPolls = 0;
  private stop = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly ctx: BackendContext,
    private readonly bus: EventBus,
    private readonly self: string,
    private readonly o: ResolvedTransportOptions,
  ) {
    this.since = o.since ?? ctx.clock.now() - o.lookbackMs;
  }

  get stats(): TailStats {
    return { polls: this.polls, delivered: this.delivered, skipped: this.skipped, origins: this.origins.size, failedPolls: this.failedPolls };
  }

  start(): void {
    if (this.loop !== undefined) return;
    this.stop = new AbortController();
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
    this.loop = undefined;
  }

  /** One poll (searches again at once while pages come back full). Exposed for tests and CLIs. */
  async pollOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      this.polls++;
      const seen = new Map<string, number>();
      for (const [origin, st] of this.origins) seen.set(origin, st.maxSeen);
      const hits = await eventsSearch(this.ctx, { self: this.self, seen, since: this.since, size: this.o.pageSize });
      const fresh = new Set<string>();
      for (const doc of hits) {
        let st = this.origins.get(doc.origin);
        if (st === undefined) {
          st = { delivered: 0, maxSeen: 0, pending: new Map(), gapSince: undefined };
          this.origins.set(doc.origin, st);
          fresh.add(doc.origin);
        }
        if (doc.seq <= st.delivered) continue;
        st.pending.set(doc.seq, doc);
        st.maxSeen = Math.max(st.maxSeen, doc.seq);
      }
      for (const origin of fresh) await this.backfill(origin);
      // Again after delivering: a hole right after what was just delivered starts its timer now.
      for (let pass = 0; pass < 2; pass++) {
        await this.fillGaps();
        total += this.deliver();
      }
      if (hits.length < this.o.pageSize || this.stop.signal.aborted) return total;
    }
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        await this.pollOnce();
      } catch (err) {
        this.failedPolls++;
        this.bus.emit('error', { at: this.ctx.clock.now(), component: TRANSPORT_COMPONENT, error: errorInfo(err) });
      }
      try {
        await this.ctx.clock.sleep(this.o.pollEveryMs, this.stop.signal);
      } catch {
        return;
      }
    }
  }

  /** First sight of an origin: pull in its directly preceding events that are within `since`. */
  private async backfill(origin: string): Promise<void> {
    const st = this.origins.get(origin);
    if (st === undefined) return;
    let low = Math.min(...st.pending.keys());
    for (;;) {
      const ids: string[] = [];
      for (let s = low - 1; s >= 1 && ids.length < BACKFILL_STEP; s--) ids.push(eventId(origin, s));
      if (ids.length === 0) break;
      const found = await eventsGet(this.ctx, ids);
      let stopped = false;
      for (let s = low - 1; s >= low - ids.length; s--) {
        const doc = found.get(eventId(origin, s));
        if (doc === undefined || doc.at < this.since) {
          stopped = true;
          break;
        }
        st.pending.set(s, doc);
      }
      low = Math.min(...st.pending.keys());
      if (stopped) break;
    }
    st.delivered = low - 1;
  }

  /** Fetch missing sequence numbers by id; skip them once they have been missing too long. */
  private async fillGaps(): Promise<void> {
    const now = this.ctx.clock.now();
    for (const [origin, st] of this.origins) {
      if (st.pending.size === 0 || st.pending.has(st.delivered + 1)) {
        st.gapSince = undefined;
        continue;
      }
      const missing: number[] = [];
      for (let s = st.delivered + 1; s < st.maxSeen && missing.length < GAP_FETCH_MAX; s++) if (!st.pending.has(s)) missing.push(s);
      const found = await eventsGet(
        this.ctx,
        missing.map((s) => eventId(origin, s)),
      );
      for (const s of missing) {
        const doc = found.get(eventId(origin, s));
        if (doc !== undefined) st.pending.set(s, doc);
      }
      if (st.pending.has(st.delivered + 1)) {
        st.gapSince = undefined;
        continue;
      }
      st.gapSince ??= now;
      if (now - st.gapSince >= this.o.gapTimeoutMs) {
        const next = Math.min(...st.pending.keys());
        this.skipped += next - st.delivered - 1;
        st.delivered = next - 1;
        st.gapSince = undefined;
      }
    }
  }

  /** Deliver every origin's contiguous run, merged across origins by timestamp. */
  private deliver(): number {
    const runs: EventDoc[][] = [];
    for (const st of this.origins.values()) {
      const run: EventDoc[] = [];
      for (let s = st.delivered + 1; ; s++) {
        const doc = st.pending.get(s);
        if (doc === undefined) break;
        run.push(doc);
      }
      if (run.length > 0) runs.push(run);
    }
    let count = 0;
    const heads = runs.map(() => 0);
    for (;;) {
      let best = -1;
      for (let i = 0; i < runs.length; i++) {
        const head = runs[i]?.[heads[i] ?? 0];
        if (head === undefined) continue;
        const bestDoc = best < 0 ? undefined : runs[best]?.[heads[best] ?? 0];
        if (bestDoc === undefined || head.at < bestDoc.at || (head.at === bestDoc.at && head.eventId < bestDoc.eventId)) best = i;
      }
      if (best < 0) break;
      const doc = runs[best]?.[heads[best] ?? 0];
      heads[best] = (heads[best] ?? 0) + 1;
      if (doc === undefined) break;
      const st = this.origins.get(doc.origin);
      if (st === undefined) continue;
      st.pending.delete(doc.seq);
      st.delivered = doc.seq;
      this.delivered++;
      count++;
      this.emit(doc.type, { ...doc.payload, origin: doc.origin } as unknown as EsJobsEvents[typeof doc.type]);
    }
    return count;
  }

  private emit<E extends EventName>(type: E, payload: EsJobsEvents[E]): void {
    this.bus.deliverRemote(type, payload);
  }
}
