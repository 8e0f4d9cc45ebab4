/**
 * How long the claim loop waits before its next poll: at once after a full batch (more work is
 * probably waiting) or a round lost to other claimers (the work is there, the next search skips
 * what was lost), short after a partial one or one that saw only stale candidates, doubling while
 * idle up to a cap, and longer while the cluster pushes back or requests fail.
 */
export interface PollRound {
  /** Slots asked for (0: none were free). */
  readonly requested: number;
  readonly claimed: number;
  readonly failed: boolean;
  /** Conditional writes lost to other claimers this round. */
  readonly conflicts?: number;
  /** Candidates the searches returned (stale ones included). */
  readonly candidates?: number;
  /** Current retry wait reported by the backend's backpressure monitor. */
  readonly backoffMs: number;
}

export class PollDelay {
  private idleMs: number;
  private errorMs: number;
  private contendedInARow = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly errorMaxMs = Math.max(maxMs, 5_000),
  ) {
    this.idleMs = minMs;
    this.errorMs = Math.max(minMs, 100);
  }

  next(round: PollRound): number {
    if (round.failed) {
      const d = this.errorMs;
      this.errorMs = Math.min(this.errorMaxMs, this.errorMs * 2);
      return Math.max(d, round.backoffMs);
    }
    this.errorMs = Math.max(this.minMs, 100);
    let delay: number;
    const contended = (round.conflicts ?? 0) > 0;
    this.contendedInARow = contended ? this.contendedInARow + 1 : 0;
    if (round.requested > 0 && round.claimed >= round.requested) {
      this.idleMs = this.minMs;
      delay = 0;
    } else if (contended) {
      // Bounded: a run of lost rounds means the head is stale for everyone until a refresh.
      this.idleMs = this.minMs;
      delay = this.contendedInARow <= 3 ? 0 : this.minMs;
    } else if (round.claimed > 0 || (round.candidates ?? 0) > 0) {
      this.idleMs = this.minMs;
      delay = this.minMs;
    } else {
      delay = this.idleMs;
      this.idleMs = Math.min(this.maxMs, Math.max(1, this.idleMs * 2));
    }
    return Math.max(delay, round.backoffMs);
  }

  /** Something happened that makes work likely (a local enqueue): poll eagerly again. */
  reset(): void {
    this.idleMs = this.minMs;
  }
}
