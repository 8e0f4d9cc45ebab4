export * from './errors.js';
export * from './clock.js';
export * from './duration.js';
export * from './events/event-map.js';
export * from './es-error-mapper.js';
export * from './indices/names.js';
export * from './payload.js';
export type { BackendContext, BackendMetrics, IndexNames } from './backend/context.js';
export { createBackendContext, type CreateBackendContextOptions } from './backend/create-context.js';
export { BackpressureMonitor, type BackpressureSnapshot, type BatchSizeAdvisor, type BatchSizeLimits, type BackpressureListener } from './backend/backpressure.js';
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
