/**
 * List registered workers (for admin commands and dashboards).
 *
 * Inputs: `now`-relative staleness: a worker counts as live when its lastSeenAt is within
 * `staleAfterIntervals` of its own registry interval; limit. Request: one `_search` on
 * `<prefix>-workers` sorted by workerId (near-real-time: a worker that just started may show up
 * after a refresh). Outcomes: the documents with a `live` flag; a missing index gives an empty list.
 */
import { NotFoundError } from '../errors.js';
import type { WorkerDocument } from '../indices/workers.js';
import type { BackendContext } from './context.js';

export interface ListedWorker extends WorkerDocument {
  readonly live: boolean;
}

export interface ListWorkersInput {
  /** @defaultValue 3 */
  readonly staleAfterIntervals?: number;
  /** @defaultValue 1000 */
  readonly limit?: number;
}

export async function listWorkers(ctx: BackendContext, input: ListWorkersInput = {}): Promise<ListedWorker[]> {
  const staleAfter = input.staleAfterIntervals ?? 3;
  let res;
  try {
    res = await ctx.request('worker-list', () =>
      ctx.client.search<WorkerDocument>({ index: ctx.names.workers, size: input.limit ?? 1000, sort: [{ workerId: { order: 'asc' } }], track_total_hits: false }),
    );
  } catch (err) {
    if (err instanceof NotFoundError) return [];
    throw err;
  }
  const now = ctx.clock.now();
  const out: ListedWorker[] = [];
  for (const h of res.hits.hits) {
    const d = h._source;
    if (d === undefined) continue;
    const seen = Date.parse(d.lastSeenAt);
    out.push({ ...d, live: Number.isFinite(seen) && now - seen <= staleAfter * d.intervalMs });
  }
  return out;
}
