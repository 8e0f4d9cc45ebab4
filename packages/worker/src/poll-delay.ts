/**
 * How long the claim loop waits before its next poll: at once after a full batch (more work is
 * probably waiting), short after a partial one, doubling while idle up to a cap, and longer while
 * the cluster pushes back or requests fail.
 */
export interface PollRound {
  /** Slots asked for (0: none were free). */
  readonly requested: number;
  readonly claimed: number;
  readonly failed: boolean;
  /** Current retry wait reported by the backend's backpressure monitor. */
  readonly backoffMs: number;
}

export class PollDelay {
  private idleMs: number;
  private errorMs: number;

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
    if (round.requested > 0 && round.claimed >= round.requested) {
      this.idleMs = this.minMs;
      delay = 0;
    } else if (round.claimed > 0) {
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
