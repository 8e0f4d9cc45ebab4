/**
 * Move jobs to their dead-letter index, write-then-delete.
 *
 * Inputs: live jobs already marked `deadLetter: true` (by fail or reap, conditionally), each with
 * the token of that mark. Request: create `<prefix>-dead-<queue>` if needed (explicit mapping);
 * one `_bulk` of `index` (same id, full history, deadLetteredAt, deadReason) into the dead
 * indices; then one `_bulk` of conditional deletes of the live documents. Outcomes per job: `dead`, `conflict` (the
 * live copy changed since the mark: left for repair), or `error`. A crash between the two bulks
 * leaves both copies, never none; repairDeadLetters finishes the move.
 */
import type { BackendContext } from './context.js';
import type { EsJobsError } from '../errors.js';
import { ElasticsearchError } from '../errors.js';
import type { StoredJob } from '../jobs/job.js';
import { iso } from '../jobs/document.js';
import { deadMappings } from '../indices/dead.js';
import { runJobBulk } from './job-bulk.js';

export type DeadLetterOutcome =
  | { readonly id: string; readonly status: 'dead'; readonly index: string }
  | { readonly id: string; readonly status: 'conflict' }
  | { readonly id: string; readonly status: 'error'; readonly error: EsJobsError };

const ensured = new WeakMap<BackendContext, Set<string>>();

/** Create a dead-letter index with its mapping unless this context already made sure of it. */
export async function ensureDeadIndex(ctx: BackendContext, queue: string): Promise<string> {
  const index = ctx.names.dead(queue);
  let known = ensured.get(ctx);
  if (known === undefined) {
    known = new Set();
    ensured.set(ctx, known);
  }
  if (known.has(index)) return index;
  try {
    await ctx.request('dead-letter', () => ctx.client.indices.create({ index, mappings: deadMappings }));
  } catch (err) {
    if (!(err instanceof ElasticsearchError && err.esType === 'resource_already_exists_exception')) throw err;
  }
  known.add(index);
  return index;
}

/** Hook for tests: runs between the dead-letter write and the live delete (crash injection). */
export interface DeadLetterHooks {
  readonly afterDeadWrite?: (ids: readonly string[]) => Promise<void> | void;
}

export async function deadLetter(ctx: BackendContext, jobs: readonly StoredJob[], reason: string, hooks: DeadLetterHooks = {}): Promise<DeadLetterOutcome[]> {
  if (jobs.length === 0) return [];
  const now = ctx.clock.now();
  const indices = new Map<string, string>();
  for (const q of new Set(jobs.map((j) => j.doc.queue))) indices.set(q, await ensureDeadIndex(ctx, q));
  const indexOf = (j: StoredJob): string => indices.get(j.doc.queue) ?? ctx.names.dead(j.doc.queue);
  const created = await runJobBulk(
    ctx,
    'dead-letter',
    jobs.map((j) => ({
      // `index`, not `create`: re-running an interrupted move (or a reused jobId dying again) overwrites with the latest history.
      kind: 'index' as const,
      index: indexOf(j),
      id: j.id,
      document: { ...j.doc, lease: null, deadLetteredAt: iso(now), deadReason: reason },
    })),
  );
  const written = jobs.filter((_, i) => {
    return created[i]?.status === 'ok';
  });
  await hooks.afterDeadWrite?.(written.map((j) => j.id));
  const deleted = await runJobBulk(
    ctx,
    'dead-letter',
    written.map((j) => ({ kind: 'delete' as const, index: ctx.names.jobs, id: j.id, token: j.token })),
  );
  const byId = new Map<string, DeadLetterOutcome>();
  written.forEach((j, i) => {
    const d = deleted[i];
    if (d === undefined) return;
    if (d.status === 'ok' || d.status === 'missing') byId.set(j.id, { id: j.id, status: 'dead', index: indexOf(j) });
    else if (d.status === 'conflict') byId.set(j.id, { id: j.id, status: 'conflict' });
    else byId.set(j.id, { id: j.id, status: 'error', error: d.error });
  });
  return jobs.map((j, i): DeadLetterOutcome => {
    const c = created[i];
    if (c !== undefined && c.status !== 'ok') return { id: j.id, status: 'error', error: c.error };
    return byId.get(j.id) ?? { id: j.id, status: 'conflict' };
  });
}
