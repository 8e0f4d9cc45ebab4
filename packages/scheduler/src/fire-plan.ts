/**
 * Which fires of a due schedule to enqueue now, and where the schedule goes next.
 *
 * The due fires are the cron times from the stored nextFireAt up to now. When the oldest is at
 * most `misfireGraceMs` old the scheduler was merely late (a busy loop, a slow request) and every
 * due fire is enqueued. Older than that, the fires were missed while no scheduler ran (a misfire)
 * and the schedule's policy decides: `once` enqueues the most recent missed fire, `all` the most
 * recent `maxMissedFires`, `skip` none. Either way the next fire is the first one after now.
 */
import type { CompiledCron } from './cron.js';
import type { MisfirePolicy } from './schedule-definition.js';

export interface FirePlan {
  /** Fire times to enqueue, oldest first. */
  readonly fires: readonly number[];
  /** True when the fires come from the misfire policy (downtime), not from normal operation. */
  readonly misfire: boolean;
  /** Cron fires that were due but are not enqueued (misfire policy); counted up to 10000. */
  readonly dropped: number;
  /** First fire after now, or undefined when the expression never fires again. */
  readonly nextFireAt: number | undefined;
}

export interface FirePlanInput {
  readonly cron: CompiledCron;
  readonly nextFireAt: number;
  readonly now: number;
  readonly misfireGraceMs: number;
  readonly policy: MisfirePolicy;
  readonly maxMissedFires: number;
}

/** Bound on fires enqueued in one pass when merely late (a per-second cron late by the grace period). */
const MAX_LATE_FIRES = 10_000;

function countBetween(cron: CompiledCron, from: number, to: number, limit: number): number {
  let n = 0;
  for (let t: number | undefined = from; t !== undefined && t <= to && n < limit; t = cron.next(t)) n++;
  return n;
}

export function planFires(input: FirePlanInput): FirePlan {
  const { cron, now } = input;
  const nextFireAt = cron.next(now);
  if (input.nextFireAt > now) return { fires: [], misfire: false, dropped: 0, nextFireAt: input.nextFireAt };
  // The stored time is a fire of the stored cron; if the cron changed it is still the first due point.
  if (now - input.nextFireAt <= input.misfireGraceMs) {
    const fires: number[] = [];
    for (let t: number | undefined = input.nextFireAt; t !== undefined && t <= now && fires.length < MAX_LATE_FIRES; t = cron.next(t)) fires.push(t);
    return { fires, misfire: false, dropped: 0, nextFireAt };
  }
  const keep = input.policy === 'skip' ? 0 : input.policy === 'once' ? 1 : input.maxMissedFires;
  const fires: number[] = [];
  for (let t = cron.latestAtOrBefore(now); t !== undefined && t >= input.nextFireAt && fires.length < keep; t = cron.latestAtOrBefore(t - 1)) fires.push(t);
  fires.reverse();
  const due = countBetween(cron, input.nextFireAt, now, MAX_LATE_FIRES + keep);
  return { fires, misfire: true, dropped: Math.min(MAX_LATE_FIRES, Math.max(0, due - fires.length)), nextFireAt };
}
