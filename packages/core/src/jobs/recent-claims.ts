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
  /** Put back by this claimer at a version above `seqNo`: stale hits drop, but no exclusion. */
  readonly putBack: boolean;
}

export class RecentClaims {
  private readonly stale = new Map<string, Entry>();
  /**
   * Every entry in the order it was set, superseded ones included (they no longer match `stale`):
   * `recentIds` walks it from the newest end instead of copying the whole map per claim.
   */
  private order: { readonly id: string; readonly entry: Entry }[] = [];

  constructor(
    private readonly maxEntries = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The version `seqNo` of job `id` is no longer current. */
  markStale(id: string, seqNo: number): void {
    const known = this.stale.get(id);
    // A version from before the put-back (e.g. an unrefreshed search hit of a job not yet due
    // again) must not exclude the put-back version from searches.
    const putBack = known?.putBack === true && seqNo <= known.seqNo;
    this.set(id, { seqNo: known === undefined ? seqNo : Math.max(known.seqNo, seqNo), at: this.now(), putBack });
  }

  isStale(id: string, seqNo: number): boolean {
    const known = this.stale.get(id);
    return known !== undefined && seqNo <= known.seqNo;
  }

  /**
   * This claimer put the job back (retry, release, retry later): it may be claimed again as soon
   * as it is due. `heldSeqNo`, the last version it held the job at, keeps older search hits
   * dropped without letting them exclude the put-back version.
   */
  forget(id: string, heldSeqNo?: number): void {
    if (heldSeqNo === undefined) this.stale.delete(id);
    else this.set(id, { seqNo: Math.max(heldSeqNo, this.stale.get(id)?.seqNo ?? heldSeqNo), at: this.now(), putBack: true });
  }

  private set(id: string, entry: Entry): void {
    this.stale.delete(id);
    this.stale.set(id, entry);
    if (this.stale.size > this.maxEntries) {
      const oldest = this.stale.keys().next();
      if (oldest.done !== true) this.stale.delete(oldest.value);
    }
    this.order.push({ id, entry });
    if (this.order.length > 2 * this.maxEntries + 64) this.order = this.order.filter((o) => this.stale.get(o.id) === o.entry);
  }

  /** Up to `max` ids marked in the last `windowMs`, newest first: a search may still show them queued. */
  recentIds(windowMs: number, max: number): string[] {
    const since = this.now() - windowMs;
    const out: string[] = [];
    for (let i = this.order.length - 1; i >= 0 && out.length < max; i--) {
      const o = this.order[i];
      if (o === undefined || o.entry.at < since) break;
      if (this.stale.get(o.id) === o.entry && !o.entry.putBack) out.push(o.id);
    }
    return out;
  }

  get size(): number {
    return this.stale.size;
  }
}
