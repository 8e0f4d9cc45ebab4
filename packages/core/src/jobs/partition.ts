/**
 * Claim partitions. Every job carries `partition`, a hash of its id into [0, PARTITIONS), so
 * workers sharing a queue can search disjoint slices first: N claimers reading one near-real-time
 * head would otherwise race for the same documents until the next refresh. Partitions only order
 * who looks where first; any claimer may still take any job (a claimer whose slice runs dry
 * searches all of them), so a job is never stranded in the slice of a worker that died.
 */
export const PARTITIONS = 1024;

/** FNV-1a over the id's UTF-16 code units: stable across processes and versions. */
export function partitionOf(jobId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) {
    h ^= jobId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % PARTITIONS;
}

/** A claimer's position among the claimers of its queues. */
export interface PartitionShare {
  /** 0-based position of this claimer. */
  readonly rank: number;
  /** Claimers sharing the queues (this one included). */
  readonly of: number;
}

/** The half-open partition range [from, to) of a share, or undefined when it is everything. */
export function partitionRange(share: PartitionShare | undefined): { readonly from: number; readonly to: number } | undefined {
  if (share === undefined || share.of <= 1) return undefined;
  const of = Math.min(share.of, PARTITIONS);
  const rank = ((share.rank % of) + of) % of;
  return { from: Math.floor((PARTITIONS * rank) / of), to: Math.floor((PARTITIONS * (rank + 1)) / of) };
}
