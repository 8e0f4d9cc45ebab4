/**
 * Where a claimer's next search starts. Jobs it just claimed stay `queued` in search until the
 * next refresh, so starting every search from the head would return its own stale claims first
 * (and excluding them by id costs a list of thousands of ids per request). The cursor continues
 * after the last candidate it took instead (`search_after`), per search shape. It goes back to
 * the head when a search reaches the end and after `maxAgeMs`, so a job sorted before the cursor
 * (higher priority, or an earlier runAt becoming due) waits at most that long: the same order of
 * delay a refresh interval already gives.
 */
import type { estypes } from '@elastic/elasticsearch';

interface Position {
  readonly after: estypes.SortResults;
  /** When this sweep left the head. */
  readonly since: number;
}

export class ClaimCursor {
  private readonly positions = new Map<string, Position>();

  constructor(
    private readonly maxAgeMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sort values to continue after for this search shape, or undefined: start at the head. */
  after(key: string): estypes.SortResults | undefined {
    const p = this.positions.get(key);
    if (p === undefined) return undefined;
    if (this.maxAgeMs === 0 || this.now() - p.since > this.maxAgeMs) {
      this.positions.delete(key);
      return undefined;
    }
    return p.after;
  }

  /** The search reached `after` (everything before it was taken or seen stale). */
  advance(key: string, after: estypes.SortResults): void {
    const since = this.positions.get(key)?.since ?? this.now();
    this.positions.set(key, { after, since });
    // Bounded: a claimer has a handful of search shapes (claim groups).
    if (this.positions.size > 64) {
      const oldest = this.positions.keys().next();
      if (oldest.done !== true) this.positions.delete(oldest.value);
    }
  }

  /** Back to the head next time (the search reached the end, or found nothing to take). */
  reset(key: string): void {
    this.positions.delete(key);
  }
}
