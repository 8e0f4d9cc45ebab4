/**
 * List and search dead-lettered jobs, paged.
 *
 * Inputs: queue (or all queues), optional error text, page size, cursor from the previous page.
 * Request: one `_search` on `<prefix>-dead-<queue>` (or `<prefix>-dead-*`): `match` on lastError
 * when searching, sorted deadLetteredAt desc then jobId asc, `search_after` the cursor.
 * Outcomes: the jobs of the page and the cursor for the next one (undefined at the end).
 */
import type { estypes } from '@elastic/elasticsearch';
import type { BackendContext } from './context.js';
import type { StoredJob } from '../jobs/job.js';
import { readJobDocument } from '../jobs/document.js';

export type DeadCursor = readonly (string | number)[];

export interface DeadListInput {
  readonly queue?: string | undefined;
  readonly errorText?: string | undefined;
  readonly size: number;
  readonly after?: DeadCursor | undefined;
}

export interface DeadPage {
  readonly jobs: (StoredJob & { readonly index: string; readonly deadLetteredAt: string | undefined; readonly deadReason: string | undefined })[];
  readonly next: DeadCursor | undefined;
}

export async function listDead(ctx: BackendContext, input: DeadListInput): Promise<DeadPage> {
  const index = input.queue === undefined ? ctx.names.deadPattern : ctx.names.dead(input.queue);
  const query: estypes.QueryDslQueryContainer =
    input.errorText === undefined ? { match_all: {} } : { match: { lastError: { query: input.errorText, operator: 'and' } } };
  const res = await ctx.request('dead-list', () =>
    ctx.client.search({
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      query,
      sort: [{ deadLetteredAt: { order: 'desc' } }, { jobId: { order: 'asc' } }],
      size: input.size,
      seq_no_primary_term: true,
      track_total_hits: false,
      ...(input.after === undefined ? {} : { search_after: [...input.after] }),
    }),
  );
  const jobs: DeadPage['jobs'] = [];
  for (const h of res.hits.hits) {
    if (h._id === undefined) continue;
    const source = h._source as Record<string, unknown> | undefined;
    jobs.push({
      id: h._id,
      index: h._index,
      doc: readJobDocument(source, h._id),
      token: { seqNo: h._seq_no ?? -1, primaryTerm: h._primary_term ?? -1 },
      deadLetteredAt: typeof source?.['deadLetteredAt'] === 'string' ? source['deadLetteredAt'] : undefined,
      deadReason: typeof source?.['deadReason'] === 'string' ? source['deadReason'] : undefined,
    });
  }
  const last = res.hits.hits[res.hits.hits.length - 1];
  const next = res.hits.hits.length === input.size && last?.sort !== undefined ? (last.sort as (string | number)[]) : undefined;
  return { jobs, next };
}
