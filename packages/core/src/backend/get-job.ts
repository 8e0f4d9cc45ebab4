/**
 * Read jobs in real time.
 *
 * Inputs: job ids. Request: `_mget` on `<prefix>-jobs` (real-time, unlike search); `getJob` also
 * looks in every `<prefix>-dead-*` index (mapping lookup + `_mget`) when the job is not live. Outcomes: the documents found,
 * each with its current token; missing ids are simply absent.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { FoundJob, StoredJob } from '../jobs/job.js';
import { readJobDocument } from '../jobs/document.js';
import type { BackendContext } from './context.js';

function isFound(d: estypes.MgetResponseItem): d is estypes.GetGetResult {
  return 'found' in d && d.found;
}

/** A search hit or found `_mget` document as a job with its token; undefined without id or token. */
export function storedJob(hit: { readonly _id?: string | null; readonly _source?: unknown; readonly _seq_no?: number; readonly _primary_term?: number }): StoredJob | undefined {
  const { _id: id, _seq_no: seqNo, _primary_term: primaryTerm } = hit;
  if (id === undefined || id === null || seqNo === undefined || primaryTerm === undefined) return undefined;
  return { id, doc: readJobDocument(hit._source, id), token: { seqNo, primaryTerm } };
}

/** Real-time multi-get of live jobs, keyed by id. */
export async function getJobsLive(ctx: BackendContext, op: string, ids: readonly string[]): Promise<Map<string, StoredJob>> {
  const out = new Map<string, StoredJob>();
  if (ids.length === 0) return out;
  const res = await ctx.request(op, () => ctx.client.mget({ index: ctx.names.jobs, ids: [...new Set(ids)] }));
  for (const d of res.docs) {
    const job = isFound(d) ? storedJob(d) : undefined;
    if (job !== undefined) out.set(job.id, job);
  }
  return out;
}

/** Real-time seq_no of each id (no source), for dropping stale claim candidates cheaply. */
export async function getSeqNos(ctx: BackendContext, op: string, ids: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (ids.length === 0) return out;
  const res = await ctx.request(op, () => ctx.client.mget({ index: ctx.names.jobs, ids: [...ids], _source: false }));
  for (const d of res.docs) {
    if (isFound(d) && d._seq_no !== undefined) out.set(d._id, d._seq_no);
  }
  return out;
}

/** Names of the existing dead-letter indices. */
export async function listDeadIndices(ctx: BackendContext, op: string): Promise<string[]> {
  const res = await ctx.request(op, () => ctx.client.indices.getMapping({ index: ctx.names.deadPattern, allow_no_indices: true, ignore_unavailable: true }));
  return Object.keys(res).sort();
}

/** One job, live or dead-lettered (both read in real time, so a job just moved is never missed). */
export async function getJob(ctx: BackendContext, id: string): Promise<FoundJob | undefined> {
  const live = (await getJobsLive(ctx, 'get-job', [id])).get(id);
  if (live !== undefined) return { ...live, location: 'live', index: ctx.names.jobs };
  const deadIndices = await listDeadIndices(ctx, 'get-job');
  if (deadIndices.length === 0) return undefined;
  const res = await ctx.request('get-job', () => ctx.client.mget({ docs: deadIndices.map((index) => ({ _index: index, _id: id })) }));
  for (const d of res.docs) {
    const job = isFound(d) ? storedJob(d) : undefined;
    if (job !== undefined) return { ...job, location: 'dead', index: d._index };
  }
  return undefined;
}
