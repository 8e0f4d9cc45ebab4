/**
 * A claimer's next search, started while its current claim is being written. A busy claimer
 * then waits for one round trip per claim (the conditional bulk) instead of two (search, then
 * bulk): the search for the next batch overlaps the write of this one and the run of its jobs.
 * The prefetched hits are only candidates, like any search hits: the conditional write decides,
 * so a hit someone else claimed in between is a counted conflict, never a double run.
 *
 * A prefetch is used only by the very next claim, for the same search shape and cursor position,
 * when it asks for no more than was fetched and comes within `maxAgeMs`; anything else drops it.
 */
import type { estypes } from '@elastic/elasticsearch';

type SearchResult = estypes.SearchResponse<unknown>;

interface Prefetch {
  readonly key: string;
  /** The cursor position it searched after, as JSON. */
  readonly after: string;
  readonly size: number;
  readonly at: number;
  /** Undefined when the search failed: the claim searches as usual. */
  readonly result: Promise<SearchResult | undefined>;
}

export class ClaimLookahead {
  private pending: Prefetch | undefined;

  constructor(
    private readonly maxAgeMs = 500,
    private readonly now: () => number = Date.now,
  ) {}

  /** Start the search for the page after `after` (errors are swallowed: it is only a head start). */
  start(key: string, after: estypes.SortResults, size: number, search: () => Promise<SearchResult>): void {
    const result = search().catch(() => undefined);
    this.pending = { key, after: JSON.stringify(after), size, at: this.now(), result };
  }

  /** The prefetched result for this search, if it matches; consumed either way. */
  take(key: string, after: estypes.SortResults, size: number): Promise<SearchResult | undefined> | undefined {
    const p = this.pending;
    this.pending = undefined;
    if (p === undefined || p.key !== key || p.size < size || this.now() - p.at > this.maxAgeMs) return undefined;
    if (p.after !== JSON.stringify(after)) return undefined;
    return p.result;
  }
}
