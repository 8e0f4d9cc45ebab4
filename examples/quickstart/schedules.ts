/**
 * Recurring schedules of the quick start, for `Scheduler.schedule()` or
 * `esjobs scheduler start --schedules examples/quickstart/schedules.ts`. Every fire is enqueued
 * exactly once, however many schedulers run.
 */
import type { ScheduleDefinition } from '@esjobs/scheduler';

/** Every 2 seconds (6 fields: seconds first), so the demo shows several fires. */
export const reportEvery2s: ScheduleDefinition = {
  name: 'report-every-2s',
  cron: '*/2 * * * * *',
  job: 'report',
  payload: {},
  misfire: 'skip',
};

/** Every night at 02:30 in Paris; DST handled by the time zone. */
export const nightlyReport: ScheduleDefinition = {
  name: 'nightly-report',
  cron: '30 2 * * *',
  tz: 'Europe/Paris',
  job: 'report',
  payload: {},
};

export default [reportEvery2s, nightlyReport];
