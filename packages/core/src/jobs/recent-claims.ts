/**
 * Remembers, per job id, a seq_no known to be outdated (we claimed the job, or saw it claimed by
 * someone else), so candidates from a search that has not been refreshed yet are dropped without
 * a request, and recent ones are excluded from the next claim search altogether. Bounded: the
 * oldest entries go first. Entry ages are real time (search staleness is a refresh interval of
 * the cluster's wall clock), not the injected job clock.
 */
interface Entry {
  readonly seqNo: number;
  readonly at: number;
}

export class RecentClaims {
  private readonly stale = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The version `seqNo` of job `id` is no longer current. */
  markStale(id: string, seqNo: number): void {
    const at = this.now();
    const known = this.stale.get(id);
    this.stale.delete(id);
    this.stale.set(id, { seqNo: known === undefined ? seqNo : Math.max(known.seqNo, seqNo), at });
    if (this.stale.size > this.maxEntries) {
      const oldest = this.stale.keys().next();
      if (oldest.done !== true) this.stale.delete(oldest.value);
    }
  }

  isStale(id: string, seqNo: number): boolean {
    const known = this.stale.get(id);
    return known !== undefined && seqNo <= known.seqNo;
  }

  /** This claimer put the job back (retry, release): it may be claimed again at once. */
  forget(id: string): void {
    this.stale.delete(id);
  }

  /** Up to `max` ids marked in the last `windowMs`, newest first: a search may still show them queued. */
  recentIds(windowMs: number, max: number): string[] {
    const since = this.now() - windowMs;
    const out: string[] = [];
    const entries = [...this.stale.entries()];
    for (let i = entries.length - 1; i >= 0 && out.length < max; i--) {
      const e = entries[i];
      if (e === undefined || e[1].at < since) break;
      out.push(e[0]);
    }
    return out;
  }

  get size(): number {
    return this.stale.size;
  }
}
