/**
 * Telling our own job writes from someone else's after a 409 (settle, heartbeat, claim).
 *
 * Recognising our own conditional write: When a connection drops after Elasticsearch
 * applied a write, the client's own retry (`maxRetries`) replays it and the replay loses against
 * the first attempt: the 409 then says nothing about anybody else. The document is ours exactly
 * when it holds every value the write set — the change carries the attempt's timestamp and, for
 * claims, a fresh random claimId, so another writer cannot produce the same values.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ClaimedJob, JobDocument } from '../jobs/job.js';
import { JobState } from '../jobs/state.js';

/** True when `fresh` (read in real time) already holds every field of `change`. */
export function holdsChange(fresh: JobDocument, change: Partial<JobDocument>): boolean {
  // Compare with what a JSON round trip leaves of the change (undefined members vanish).
  const stored = JSON.parse(JSON.stringify(change)) as Record<string, unknown>;
  const doc = fresh as unknown as Record<string, unknown>;
  return Object.keys(stored).every((key) => isDeepStrictEqual(doc[key], stored[key]));
}

/**
 * Still this attempt's job (active, same owner, attempt and claimId): only a cancel request or a
 * progress write moved its seq_no, so the write may be retried with the fresh token.
 */
export function stillOwned(job: ClaimedJob, fresh: JobDocument | undefined): boolean {
  return (
    fresh !== undefined &&
    fresh.state === JobState.active &&
    fresh.lease?.owner === job.workerId &&
    fresh.attempt === job.doc.attempt &&
    fresh.lease.claimId === job.doc.lease?.claimId
  );
}
