/**
 * Contention spreading for claims. Without contention a claimer takes the head of the candidates
 * in order, so priority and FIFO hold exactly; when its conditional writes start losing (other
 * claimers read the same head), it widens the window it picks from at random, and narrows it
 * again as conflicts stop. The chosen jobs are returned in candidate order.
 */
export class ContentionSpread {
  private windowFactor = 1;

  constructor(
    private readonly maxFactor = 8,
    private readonly random: () => number = Math.random,
  ) {}

  get factor(): number {
    return this.windowFactor;
  }

  /** Choose up to `slots` of `candidates` (already sorted best first). */
  pick<T>(candidates: readonly T[], slots: number): T[] {
    if (candidates.length <= slots || this.windowFactor <= 1) return candidates.slice(0, slots);
    const window = Math.min(candidates.length, Math.ceil(slots * this.windowFactor));
    const indices = Array.from({ length: window }, (_, i) => i);
    // Partial Fisher-Yates: the first `slots` positions become a uniform sample of the window.
    for (let i = 0; i < slots; i++) {
      const j = i + Math.floor(this.random() * (window - i));
      const a = indices[i];
      const b = indices[j];
      if (a === undefined || b === undefined) break;
      indices[i] = b;
      indices[j] = a;
    }
    return indices
      .slice(0, slots)
      .sort((x, y) => x - y)
      .map((i) => candidates[i])
      .filter((c): c is T => c !== undefined);
  }

  /** Feed back the outcome of one claim round. */
  record(attempted: number, conflicts: number): void {
    if (attempted === 0) return;
    if (conflicts > 0) this.windowFactor = Math.min(this.maxFactor, this.windowFactor * 2);
    else this.windowFactor = Math.max(1, this.windowFactor * 0.75);
  }
}
