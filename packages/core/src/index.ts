export * from './errors.js';
export * from './clock.js';
export * from './duration.js';
export * from './events/event-map.js';
export * from './es-error-mapper.js';
export * from './indices/names.js';
export * from './payload.js';
export type { BackendContext, BackendMetrics, IndexNames } from './backend/context.js';
export { createBackendContext, type CreateBackendContextOptions } from './backend/create-context.js';
export { BackpressureMonitor, type RejectionDetail, type BackpressureSnapshot, type BatchSizeAdvisor, type BatchSizeLimits, type BackpressureListener } from './backend/backpressure.js';
export { classifyBulkItems, inspectBulk, type BulkSummary, type BulkItemKind } from './backend/bulk-result.js';
export { pushbackDelayMs, type RequestOptions } from './backend/request.js';
export { validateBackpressureOptions, type BackpressureOptions, type ResolvedBackpressureOptions } from './options/backpressure.js';
export {
  computeBackoff,
  validateBackoff,
  toStoredBackoff,
  backoffDefault,
  customFallback,
  type BackoffOptions,
  type BackoffFunction,
  type ResolvedBackoff,
  type StoredBackoffPolicy,
} from './backoff.js';
export * from './locks/index.js';
export { EsEventTransport, createEsEventTransport, type EsEventTransportOptions, type TransportStats } from './events/es-transport.js';
export { purgeEvents, type PurgeEventsOptions } from './events/retention.js';
export { withTransportDefaults, eventsRetentionMsDefault, type TransportOptions, type ResolvedTransportOptions } from './events/transport-options.js';
export { emitBackpressureEvents } from './events/backpressure-events.js';
export { locksMappings, locksSettings } from './indices/locks.js';
export { eventsMappings, eventsSettings } from './indices/events.js';
export { JobState, DEAD, jobStates, transitions, isJobState, type StatsState, type Transition } from './jobs/state.js';
export type { JobDocument, JobErrorRecord, JobLease, ClaimToken, StoredJob, ClaimedJob, FoundJob, StoredBackoff } from './jobs/job.js';
export type { JobType, PayloadOf, ResultOf, JobMapOf } from './jobs/job-type.js';
export {
  validate as validateJobOptions,
  withDefaults as jobOptionsWithDefaults,
  validateJobName,
  validateJobId,
  queueDefault,
  priorityDefault,
  attemptsDefault,
  maxStallsDefault,
  type JobOptions,
  type ResolvedJobOptions,
  type BackoffOption,
} from './jobs/options.js';
export { validate as validateJobStoreOptions, withDefaults as jobStoreOptionsWithDefaults, type JobStoreOptions, type ResolvedJobStoreOptions } from './jobs/store-options.js';
export { JobStore, MAX_BATCH, type EnqueueInput, type EnqueueResult, type ClaimRequest, type FailOptions, type SettledOutcome } from './jobs/store.js';
export type { EnqueueOutcome } from './backend/enqueue-many.js';
export type { ClaimResult } from './backend/claim.js';
export type { HeartbeatOutcome } from './backend/heartbeat.js';
export type { SettleOutcome } from './backend/settle.js';
export type { CancelOutcome } from './backend/cancel.js';
export type { ReapResult, ReapedJob, ReapOutcome } from './backend/reap-expired.js';
export type { RepairResult } from './backend/dead-letter-repair.js';
export type { DeadPage, DeadCursor } from './backend/dead-list.js';
export type { RedriveOutcome } from './backend/dead-redrive.js';
export type { QueueCounts } from './backend/queue-stats.js';
export { jobsMappings } from './indices/jobs.js';
export { deadMappings } from './indices/dead.js';
export { queuesMappings } from './indices/queues.js';
// Backend job operations, for callers that manage their own batching (the worker's settle buffer).
export { settle, type SettleRequest, type SettleAction } from './backend/settle.js';
export type { FailInput } from './backend/fail.js';
export { enqueueMany as enqueueJobs, type NewJob } from './backend/enqueue-many.js';
export { claim as claimJobs, type ClaimInput } from './backend/claim.js';
export { claimByIds as claimJobsByIds, type ClaimByIdsInput } from './backend/claim-by-ids.js';
export { heartbeat as heartbeatJobs } from './backend/heartbeat.js';
export { updateProgress as updateJobProgress } from './backend/progress.js';
export { getJob, getJobsLive } from './backend/get-job.js';
export { RecentClaims } from './jobs/recent-claims.js';
export { sendBatch, type BatchFn, type Pending } from './jobs/write-buffer.js';
export { ContentionSpread } from './jobs/contention-spread.js';
export { ClaimCursor } from './jobs/claim-cursor.js';
export { PARTITIONS, partitionOf, partitionRange, type PartitionShare } from './jobs/partition.js';
export { newJobDocument, newJobId, toMs } from './jobs/document.js';
// Worker runtime operations: registry, cluster-wide queue limits, retry-later (owned by the worker).
export { workersMappings, workersSettings, type WorkerDocument } from './indices/workers.js';
export { upsertWorker } from './backend/worker-upsert.js';
export { removeWorker } from './backend/worker-remove.js';
export { listWorkers, type ListedWorker, type ListWorkersInput } from './backend/worker-list.js';
export { retryLater, type RetryLaterRequest, type RetryLaterOutcome } from './backend/worker-retry-later.js';
export { queueSlotId, queueSlotResource, type HeldQueueSlot } from './backend/queue-limit-slots.js';
export { acquireQueueSlots, type QueueSlotAcquireInput } from './backend/queue-limit-acquire.js';
export { renewQueueSlots, type QueueSlotOutcome } from './backend/queue-limit-renew.js';
export { releaseQueueSlots } from './backend/queue-limit-release.js';
export { bootstrap, teardown, type BootstrapOptions, type BootstrapResult } from './indices/bootstrap.js';
// Infrastructure: connection, options, index registry and bootstrap, bulk results.
export {
  createClient,
  resolveConnection,
  checkConnection,
  isClientLike,
  clientNode,
  envVars as esEnvVars,
  type EsOption,
  type EsConnectionOptions,
  type Env,
  type ResolvedConnection,
  type CreatedClient,
  type ConnectionInfo,
  type CheckConnectionOptions,
} from './connection.js';
export { validate as validateCoreOptions, withDefaults as coreOptionsWithDefaults, type CoreOptions, type ResolvedCoreOptions } from './options/core.js';
export { openBackend, type OpenBackendOptions, type OpenedBackend } from './backend/open-backend.js';
export { indexDefinitions, templateDefinitions, type IndexDefinition, type TemplateDefinition, type IndexMappings, type FieldMapping } from './indices/registry.js';
export { diffMappings, type MappingDifference } from './indices/mapping-diff.js';
export { schedulesMappings, schedulesSettings, type ScheduleDocument } from './indices/schedules.js';
export type { BulkItemOutcome as BulkItemResult } from './backend/bulk-result.js';
export { MetricsRecorder } from './backend/request.js';
// Schedules and retention (used by @esjobs/scheduler and the admin CLI).
export { getSchedules, isScheduleDocument, type StoredSchedule } from './backend/schedule-get.js';
export { putSchedule, type SchedulePutResult } from './backend/schedule-put.js';
export { deleteSchedule } from './backend/schedule-delete.js';
export { listSchedules as listScheduleDocuments, type ScheduleListInput } from './backend/schedule-list.js';
export { advanceSchedules, type ScheduleAdvance, type ScheduleAdvanceOutcome } from './backend/schedule-advance.js';
export { retainJobs, type JobsRetentionInput } from './backend/retention-jobs.js';
