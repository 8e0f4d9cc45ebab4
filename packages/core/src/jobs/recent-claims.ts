/**
 * Remembers, per job id, a seq_no known to be outdated (we claimed the job, or saw it claimed by
 * someone else), so candidates from a search that has not been refreshed yet are dropped without
 * a request, and recent ones are excluded from the next claim search altogether. Bounded: the
 * oldest entries go first.
 */
interface Entry {
  readonly seqNo: number;
  readonly at: number;
}

export class RecentClaims {
  private readonly stale = new Map<string, Entry>();

  constructor(private readonly maxEntries = 20_000) {}

  /** The version `seqNo` of job `id` is no longer current (seen at time `at`). */
  markStale(id: string, seqNo: number, at = 0): void {
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

  /** Up to `max` ids marked since `since`, newest first: a search this recent may still show them queued. */
  recentIds(since: number, max: number): string[] {
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
