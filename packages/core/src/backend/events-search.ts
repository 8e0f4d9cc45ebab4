/**
 * The tail's search: events not seen yet.
 *
 * Inputs: the reader's own origin (excluded), for every origin already known the highest
 * sequence seen, and `since` for origins not known yet. Request: `_search` on `<prefix>-events`
 * with `bool.should` of (origin = o AND seq > seen[o]) per known origin and (origin not known AND
 * at >= since), sorted by at, then eventId (unique), size `size`. Because what was seen is
 * excluded by the query itself, documents that become visible late (slow refresh) are still
 * found on a later poll: there is no time cursor to fall behind. Outcomes: the hits in order; a
 * missing index gives none.
 */
import type { estypes } from '@elastic/elasticsearch';
import { NotFoundError } from '../errors.js';
import { isEventDoc, type EventDoc } from '../events/event-doc.js';
import type { BackendContext } from './context.js';

export interface EventsSearchInput {
  readonly self: string;
  readonly seen: ReadonlyMap<string, number>;
  readonly since: number;
  readonly size: number;
}

export async function eventsSearch(ctx: BackendContext, input: EventsSearchInput): Promise<EventDoc[]> {
  const should: estypes.QueryDslQueryContainer[] = [];
  for (const [origin, seq] of input.seen) {
    should.push({ bool: { filter: [{ term: { origin } }, { range: { seq: { gt: seq } } }] } });
  }
  const known = [...input.seen.keys()];
  should.push({
    bool: {
      filter: [{ range: { at: { gte: input.since } } }],
      ...(known.length === 0 ? {} : { must_not: [{ terms: { origin: known } }] }),
    },
  });
  try {
    const res = await ctx.request('events-search', () =>
      ctx.client.search({
        index: ctx.names.events,
        query: { bool: { should, minimum_should_match: 1, must_not: [{ term: { origin: input.self } }] } },
        sort: [{ at: 'asc' }, { eventId: 'asc' }],
        size: input.size,
        track_total_hits: false,
      }),
    );
    const out: EventDoc[] = [];
    for (const h of res.hits.hits) if (isEventDoc(h._source)) out.push(h._source);
    return out;
  } catch (err) {
    if (err instanceof NotFoundError && /index_not_found/u.test(err.message)) return [];
    throw err;
  }
}
