/**
 * The claimers sharing this worker's queues, read from the worker registry. This worker's rank
 * among them gives it a slice of the claim partitions (core's jobs/partition.ts) that it searches
 * first, so workers on one queue stop racing for the same documents. Until the registry has been
 * read, and whenever it cannot be, the worker searches everything: always correct, just more
 * contended.
 */
import type { ListedWorker, PartitionShare } from '@esjobs/core';

export class ClaimPeers {
  private current: PartitionShare | undefined;

  constructor(
    private readonly workerId: string,
    private readonly queues: readonly string[],
  ) {}

  /** This worker's share (`of: 1` when it is alone), or undefined while the registry is unknown. */
  get share(): PartitionShare | undefined {
    return this.current;
  }

  update(workers: readonly ListedWorker[]): void {
    const mine = new Set(this.queues);
    const ids = new Set(workers.filter((w) => w.live && w.state === 'running' && w.queues.some((q) => mine.has(q))).map((w) => w.workerId));
    ids.add(this.workerId);
    const sorted = [...ids].sort();
    this.current = { rank: sorted.indexOf(this.workerId), of: sorted.length };
  }

  /** Forget the peers (the registry could not be read): search everything. */
  clear(): void {
    this.current = undefined;
  }
}
