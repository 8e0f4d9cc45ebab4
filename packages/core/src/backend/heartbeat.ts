/**
 * Extend the leases of a worker's active jobs.
 *
 * Inputs: worker id, its claimed jobs (with tokens), lease length. Request: one `_bulk` of
 * conditional partial updates (lease.expiresAt, updatedAt); for items that 409/404, one real-time
 * `_mget` to tell a cancel request (or a progress write) from a lost lease, and one more bulk to
 * extend those still ours (or to find the extension already applied when a client retry replayed it). Outcomes per job: `extended` (new token), `cancelled` (the job is still
 * ours but a cancel was requested: new token, so the worker can record the cancellation), or
 * `lost` (reclaimed, completed elsewhere, gone).
 */
import type { BackendContext } from './context.js';
import type { EsJobsError } from '../errors.js';
import type { ClaimedJob, ClaimToken, JobDocument } from '../jobs/job.js';
import { iso } from '../jobs/document.js';
import { jobUpdate, runJobBulk } from './job-bulk.js';
import { getJobsLive } from './get-job.js';
import { holdsChange, stillOwned } from './own-write.js';

export type HeartbeatOutcome =
  | { readonly id: string; readonly status: 'extended' | 'cancelled'; readonly token: ClaimToken; readonly doc: JobDocument }
  | { readonly id: string; readonly status: 'lost'; readonly reason: string }
  | { readonly id: string; readonly status: 'error'; readonly error: EsJobsError };

function extension(job: ClaimedJob, leaseMs: number, now: number): { change: Partial<JobDocument>; after: JobDocument } {
  const lease = { owner: job.workerId, claimId: job.doc.lease?.claimId ?? '', expiresAt: iso(now + leaseMs) };
  const change = { lease, updatedAt: iso(now) };
  return { change, after: { ...job.doc, ...change } };
}

export async function heartbeat(ctx: BackendContext, jobs: readonly ClaimedJob[], leaseMs: number): Promise<HeartbeatOutcome[]> {
  if (jobs.length === 0) return [];
  const now = ctx.clock.now();
  const out = new Map<string, HeartbeatOutcome>();
  let round = jobs;
  for (let attempt = 0; attempt < 2 && round.length > 0; attempt++) {
    const planned = round.map((j) => ({ job: j, ...extension(j, leaseMs, now) }));
    const items = await runJobBulk(
      ctx,
      'heartbeat',
      planned.map((p) => jobUpdate(ctx, p.job.id, p.change, p.job.token)),
    );
    const recheck: (typeof planned)[number][] = [];
    planned.forEach((p, i) => {
      const item = items[i];
      if (item === undefined) return;
      if (item.status === 'ok') {
        out.set(p.job.id, { id: p.job.id, status: p.after.cancelRequested ? 'cancelled' : 'extended', token: item.token, doc: p.after });
      } else if (item.status === 'error') out.set(p.job.id, { id: p.job.id, status: 'error', error: item.error });
      else recheck.push(p);
    });
    if (recheck.length === 0) break;
    const fresh = await getJobsLive(ctx, 'heartbeat', recheck.map((p) => p.job.id));
    const next: ClaimedJob[] = [];
    for (const p of recheck) {
      const j = p.job;
      const f = fresh.get(j.id);
      if (f !== undefined && f.doc.attempt === j.doc.attempt && holdsChange(f.doc, p.change)) {
        // Already extended by an attempt whose answer was lost (a client retry replayed the bulk).
        out.set(j.id, { id: j.id, status: f.doc.cancelRequested ? 'cancelled' : 'extended', token: f.token, doc: f.doc });
        continue;
      }
      const ours = f !== undefined && stillOwned(j, f.doc);
      if (ours && attempt === 0) next.push({ ...j, doc: f.doc, token: f.token });
      else {
        const reason = f === undefined ? 'the job no longer exists' : `the job is ${f.doc.state}, lease owner ${f.doc.lease?.owner ?? 'none'}, attempt ${f.doc.attempt}`;
        out.set(j.id, { id: j.id, status: 'lost', reason });
      }
    }
    round = next;
  }
  return jobs.map((j) => out.get(j.id) ?? { id: j.id, status: 'lost', reason: 'no outcome for the write' });
}
