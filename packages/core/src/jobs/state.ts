/**
 * Job states and the transitions between them. Every transition is one conditional write; the
 * diagram lives in docs/states.md. Dead-lettered jobs leave the jobs index for
 * `<prefix>-dead-<queue>`, so `dead` is a pseudo-state (it appears in stats, never in a job document).
 */
export const JobState = {
  /** Waiting to run; `runAt` in the future means delayed. */
  queued: 'queued',
  /** Claimed by a worker under a lease. */
  active: 'active',
  /** Ran to completion (result stored). */
  completed: 'completed',
  /** Will not run again: unrecoverable error or cancelled. */
  failed: 'failed',
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

/** The pseudo-state of jobs moved to a dead-letter index. */
export const DEAD = 'dead';
export type StatsState = JobState | typeof DEAD;

export const jobStates: readonly JobState[] = Object.values(JobState);

/** Why a job moved; each entry is one backend operation. */
export type Transition =
  | 'claim'
  | 'complete'
  | 'retry'
  | 'fail-unrecoverable'
  | 'release'
  | 'cancel'
  | 'reap-requeue'
  | 'dead-letter'
  | 'redrive';

/** from → transition → to. `dead` as a target means: moved to the dead-letter index. */
export const transitions: Readonly<Record<Transition, { readonly from: readonly StatsState[]; readonly to: StatsState }>> = {
  claim: { from: [JobState.queued], to: JobState.active },
  complete: { from: [JobState.active], to: JobState.completed },
  retry: { from: [JobState.active], to: JobState.queued },
  'fail-unrecoverable': { from: [JobState.active], to: JobState.failed },
  release: { from: [JobState.active], to: JobState.queued },
  cancel: { from: [JobState.queued], to: JobState.failed },
  'reap-requeue': { from: [JobState.active], to: JobState.queued },
  'dead-letter': { from: [JobState.active], to: DEAD },
  redrive: { from: [DEAD], to: JobState.queued },
};

export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && (jobStates as readonly string[]).includes(value);
}
