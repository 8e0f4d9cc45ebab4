export { Scheduler, FIRE_FIELDS, fireJobId, scheduleInfo, type FireFields, type EnqueueItem, type EnqueueManyOutcome, type ScheduleInfo, type ScheduleResult, type FirePassResult, type ReconcileResult } from './scheduler.js';
export { validate as validateSchedulerOptions, withDefaults as schedulerOptionsWithDefaults, misfireGraceMsDefault, maxSleepMsDefault, retryDelayMsDefault, enqueueConcurrencyDefault, enqueueBatchMaxDefault, type SchedulerOptions, type ResolvedSchedulerOptions } from './options.js';
export { MisfirePolicy, misfireDefault, maxMissedFiresDefault, validateSchedule, validateScheduleName, type ScheduleDefinition, type ResolvedSchedule } from './schedule-definition.js';
export { compileCron, validateTimeZone, timeZoneDefault, type CompiledCron } from './cron.js';
export { planFires, type FirePlan, type FirePlanInput } from './fire-plan.js';
export { Maintenance, maintenanceTasks, maintenanceLocks, type MaintenanceTask, type MaintenanceDeps } from './maintenance.js';
export {
  validate as validateMaintenanceOptions,
  withDefaults as maintenanceOptionsWithDefaults,
  completedMaxAgeDefault,
  failedMaxAgeDefault,
  jobsRetentionIntervalMsDefault,
  eventsRetentionIntervalMsDefault,
  repairIntervalMsDefault,
  reapIntervalMsDefault,
  type MaintenanceOptions,
  type ResolvedMaintenanceOptions,
} from './maintenance-options.js';
