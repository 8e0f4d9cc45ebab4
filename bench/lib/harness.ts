/**
 * What every benchmark case gets for one target: a backend context on a fresh index prefix, a
 * Scheduler (producer) and an event bus shared with in-process workers, and a lock manager.
 */
import { randomBytes } from 'node:crypto';
import { type BackendContext, EventBus, type LockManager, bootstrap, createBackendContext, createLockManager, teardown } from '@esjobs/core';
import { Scheduler } from '@esjobs/scheduler';
import { Worker } from '@esjobs/worker';
import { noop, stamp } from '../jobs.js';
import type { Target } from './targets.js';

export interface Harness {
  readonly target: Target;
  readonly ctx: BackendContext;
  readonly prefix: string;
  readonly events: EventBus;
  readonly scheduler: Scheduler;
  readonly locks: LockManager;
  readonly quick: boolean;
  /** A queue name not used before in this run. */
  queue(label: string): string;
  close(): Promise<void>;
}

export async function openHarness(target: Target, quick: boolean): Promise<Harness> {
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const ctx = createBackendContext({ client: target.client, prefix });
  await bootstrap(ctx);
  const events = new EventBus({ clock: ctx.clock });
  const scheduler = new Scheduler({ es: ctx, events });
  const locks = createLockManager({ ctx, bus: events });
  let n = 0;
  return {
    target,
    ctx,
    prefix,
    events,
    scheduler,
    locks,
    quick,
    queue: (label) => `${label}-${++n}`,
    async close() {
      await scheduler.stop();
      await teardown(ctx).catch(() => undefined);
    },
  };
}

/** An in-process worker on the harness's bus (so the Scheduler's enqueues wake it at once). */
export function inProcessWorker(h: Harness, queue: string, concurrency: number): Worker {
  return new Worker({ es: h.ctx, jobs: [noop, stamp], queues: [queue], concurrency, events: h.events });
}

/** Count of jobs in `queue` with `state`, refreshed first so the count is current. */
export async function countJobs(h: Harness, queue: string, state: string): Promise<number> {
  // Through the backend's request runner: it retries the 429s of the realistic profile.
  await refreshJobs(h);
  const res = await h.ctx.request('bench.count', () => h.ctx.client.count({ index: h.ctx.names.jobs, query: { bool: { filter: [{ term: { queue } }, { term: { state } }] } } }));
  return res.count;
}

/** Make every write to the jobs index searchable now. */
async function refreshJobs(h: Harness): Promise<void> {
  await h.ctx.request('bench.refresh', () => h.ctx.client.indices.refresh({ index: h.ctx.names.jobs }));
}

/**
 * Whether any of `queue`'s jobs is still queued or active. Asked near-real-time with
 * `track_total_hits: 1`, which stops at the first match, so polling this while a backlog drains
 * costs the cluster next to nothing, unlike counting every completed job twice a second (which was
 * about 5% of the embedded engine's CPU during a 4 × 50 run: the measurement disturbed what it
 * measured). A "none" is confirmed after a refresh: a search that has not seen the last jobs
 * enqueued would end a case early.
 */
export async function anyPending(h: Harness, queue: string): Promise<boolean> {
  if (await pendingNow(h, queue)) return true;
  await refreshJobs(h);
  return pendingNow(h, queue);
}

async function pendingNow(h: Harness, queue: string): Promise<boolean> {
  // One term per state: a `terms` filter of both would have the embedded engine build the union of
  // their postings (tens of thousands of ids) before it stops at the first match.
  for (const state of ['queued', 'active']) {
    const res = await h.ctx.request('bench.pending', () =>
      h.ctx.client.search({
        index: h.ctx.names.jobs,
        size: 0,
        track_total_hits: 1,
        query: { bool: { filter: [{ term: { queue } }, { term: { state } }] } },
      }),
    );
    const total = res.hits.total;
    if ((typeof total === 'number' ? total : (total?.value ?? 0)) > 0) return true;
  }
  return false;
}

/** Delete `queue`'s jobs so later cases start clean. */
export async function deleteQueue(h: Harness, queue: string): Promise<void> {
  await h.ctx.request('bench.delete', () => h.ctx.client.deleteByQuery({ index: h.ctx.names.jobs, query: { term: { queue } }, refresh: true, conflicts: 'proceed' }));
}

/** Documents of `queue`'s jobs (refreshed; paged with search_after on jobId). */
export async function readJobs(h: Harness, queue: string, fields: readonly string[]): Promise<Record<string, unknown>[]> {
  await refreshJobs(h);
  const out: Record<string, unknown>[] = [];
  let after: (string | number)[] | undefined;
  for (;;) {
    const page = after;
    const res = await h.ctx.request('bench.search', () =>
      h.ctx.client.search<Record<string, unknown>>({
        index: h.ctx.names.jobs,
        size: 5000,
        query: { term: { queue } },
        sort: [{ jobId: 'asc' }],
        _source: [...fields],
        ...(page === undefined ? {} : { search_after: page }),
      }),
    );
    const hits = res.hits.hits;
    for (const hit of hits) if (hit._source !== undefined) out.push(hit._source);
    const last = hits[hits.length - 1];
    if (last === undefined || hits.length < 5000) return out;
    after = last.sort as (string | number)[];
  }
}
