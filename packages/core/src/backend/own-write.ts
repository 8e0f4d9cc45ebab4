/**
 * Recognising our own conditional write after a 409. When a connection drops after Elasticsearch
 * applied a write, the client's own retry (`maxRetries`) replays it and the replay loses against
 * the first attempt: the 409 then says nothing about anybody else. The document is ours exactly
 * when it holds every value the write set — the change carries the attempt's timestamp and, for
 * claims, a fresh random claimId, so another writer cannot produce the same values.
 */
import { isDeepStrictEqual } from 'node:util';
import type { JobDocument } from '../jobs/job.js';

/** True when `fresh` (read in real time) already holds every field of `change`. */
export function holdsChange(fresh: JobDocument, change: Partial<JobDocument>): boolean {
  // Compare with what a JSON round trip leaves of the change (undefined members vanish).
  const stored = JSON.parse(JSON.stringify(change)) as Record<string, unknown>;
  const doc = fresh as unknown as Record<string, unknown>;
  return Object.keys(stored).every((key) => isDeepStrictEqual(doc[key], stored[key]));
}
