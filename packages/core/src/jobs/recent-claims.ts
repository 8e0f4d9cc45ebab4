/**
 * Remembers, per job id, a seq_no known to be outdated (we claimed the job, or lost a race for it),
 * so candidates from a search that has not been refreshed yet are dropped without a request.
 * Bounded: the oldest entries go first.
 */
export class RecentClaims {
  private readonly stale = new Map<string, number>();

  constructor(private readonly maxEntries = 20_000) {}

  /** The version `seqNo` of job `id` is no longer current. */
  markStale(id: string, seqNo: number): void {
    const known = this.stale.get(id);
    this.stale.delete(id);
    this.stale.set(id, known === undefined ? seqNo : Math.max(known, seqNo));
    if (this.stale.size > this.maxEntries) {
      const oldest = this.stale.keys().next();
      if (oldest.done !== true) this.stale.delete(oldest.value);
    }
  }

  isStale(id: string, seqNo: number): boolean {
    const known = this.stale.get(id);
    return known !== undefined && seqNo <= known;
  }

  get size(): number {
    return this.stale.size;
  }
}
