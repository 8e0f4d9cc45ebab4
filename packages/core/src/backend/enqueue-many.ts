/**
 * Enqueue jobs (one or many).
 *
 * Inputs: validated job documents with their ids. Request: one `_bulk` of `create` actions into
 * `<prefix>-jobs`; when some ids already exist (409), one real-time `_mget` to return them.
 * Outcomes, per job, in input order: `created` (with the token), `existing` (the job already
 * there: idempotent enqueue by jobId; a create replayed by a client retry that finds its own
 * document is still `created`), or `error` (the mapped error; never silently dropped).
 */
import type { EsJobsError } from '../errors.js';
import type { JobDocument, StoredJob } from '../jobs/job.js';
import type { BackendContext } from './context.js';
import { runJobBulk } from './job-bulk.js';
import { getJobsLive } from './get-job.js';
import { holdsChange } from './own-write.js';

export interface NewJob {
  readonly id: string;
  readonly doc: JobDocument;
  /** `doc` already serialized (see jobDocumentJson); sent as is instead of serializing `doc` again. */
  readonly json?: string;
  /**
   * `doc.payload` already serialized (validatePayload's text), when `json` is not given: spliced
   * into the document text so a large payload is not serialized twice.
   */
  readonly payloadJson?: string;
}

/** The document text of `job`: as given, with its payload text spliced in, or serialized whole. */
function documentJson(job: NewJob): string {
  if (job.json !== undefined) return job.json;
  if (job.payloadJson === undefined) return JSON.stringify(job.doc);
  // `payload: undefined` drops the key from the text (a spread and an overwrite keep the object's fast shape; `delete` does not).
  const rest = JSON.stringify({ ...job.doc, payload: undefined });
  return rest === '{}' ? `{"payload":${job.payloadJson}}` : `{"payload":${job.payloadJson},${rest.slice(1)}`;
}

export type EnqueueOutcome =
  | { readonly status: 'created'; readonly job: StoredJob }
  | { readonly status: 'existing'; readonly job: StoredJob }
  | { readonly status: 'error'; readonly id: string; readonly error: EsJobsError };

export async function enqueueMany(ctx: BackendContext, jobs: readonly NewJob[]): Promise<EnqueueOutcome[]> {
  if (jobs.length === 0) return [];
  const items = await runJobBulk(
    ctx,
    'enqueue',
    jobs.map((j) => ({ kind: 'create' as const, index: ctx.names.jobs, id: j.id, document: j.doc, json: documentJson(j) })),
  );
  const conflicted = jobs.filter((_, i) => items[i]?.status === 'conflict').map((j) => j.id);
  const existing = conflicted.length === 0 ? new Map<string, StoredJob>() : await getJobsLive(ctx, 'enqueue', conflicted);
  return jobs.map((j, i): EnqueueOutcome => {
    const item = items[i];
    if (item === undefined) throw new Error('unreachable: bulk outcome missing');
    if (item.status === 'ok') return { status: 'created', job: { id: j.id, doc: j.doc, token: item.token } };
    if (item.status === 'conflict') {
      const found = existing.get(j.id);
      // Created then deleted (completed and purged, dead-lettered) between our create and our read.
      if (found === undefined) return { status: 'error', id: j.id, error: item.error };
      // A client retry replayed our create after a dropped connection: the job is the one we wrote.
      if (item.replayed && holdsChange(found.doc, j.doc)) return { status: 'created', job: found };
      return { status: 'existing', job: found };
    }
    return { status: 'error', id: j.id, error: item.error };
  });
}
