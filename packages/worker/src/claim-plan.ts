/**
 * Splits one claim round into claims the backend can make: a claim filters by queues and job
 * names and takes up to N jobs, so job types with their own concurrency and queues with a
 * cluster-wide limit get claims of their own, capped by what they may still run. Groups are
 * visited from a rotating start so a busy group does not starve the others.
 */
export interface ClaimGroup {
  readonly queues: readonly string[];
  readonly names: readonly string[];
  /** Most jobs this group may take now (before the worker's free slots). */
  readonly cap: number;
  /** Set when the group is one cluster-limited queue: slots must be acquired first. */
  readonly limitedQueue?: { readonly queue: string; readonly limit: number };
}

export interface ClaimPlanInput {
  readonly queues: readonly string[];
  /** Handled names with no per-type limit. */
  readonly unlimitedNames: readonly string[];
  /** Per-type limits with the number of jobs of that type running now. */
  readonly limitedNames: readonly { readonly name: string; readonly limit: number; readonly running: number }[];
  readonly queueLimits: ReadonlyMap<string, number>;
  /** Rotation counter (e.g. the round number). */
  readonly round: number;
}

export function planClaims(input: ClaimPlanInput): ClaimGroup[] {
  const nameGroups: { names: string[]; cap: number }[] = [];
  if (input.unlimitedNames.length > 0) nameGroups.push({ names: [...input.unlimitedNames], cap: Number.POSITIVE_INFINITY });
  for (const l of input.limitedNames) {
    if (l.limit - l.running > 0) nameGroups.push({ names: [l.name], cap: l.limit - l.running });
  }
  const free = input.queues.filter((q) => !input.queueLimits.has(q));
  const groups: ClaimGroup[] = [];
  for (const n of nameGroups) {
    if (free.length > 0) groups.push({ queues: free, names: n.names, cap: n.cap });
    for (const q of input.queues) {
      const limit = input.queueLimits.get(q);
      if (limit !== undefined) groups.push({ queues: [q], names: n.names, cap: n.cap, limitedQueue: { queue: q, limit } });
    }
  }
  if (groups.length <= 1) return groups;
  const start = input.round % groups.length;
  return [...groups.slice(start), ...groups.slice(0, start)];
}
