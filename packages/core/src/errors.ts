/**
 * esjobs errors: one class per failure kind, each with a stable `code` that callers can switch on.
 * Elasticsearch responses are turned into these by `mapEsError` (es-error-mapper.ts) and nowhere else.
 * Messages never contain credentials.
 */
export const ErrorCode = {
  Validation: 'ESJOBS_VALIDATION',
  Connection: 'ESJOBS_CONNECTION',
  Authentication: 'ESJOBS_AUTHENTICATION',
  Authorization: 'ESJOBS_AUTHORIZATION',
  Conflict: 'ESJOBS_CONFLICT',
  NotFound: 'ESJOBS_NOT_FOUND',
  Backpressure: 'ESJOBS_BACKPRESSURE',
  Mapping: 'ESJOBS_MAPPING',
  LeaseLost: 'ESJOBS_LEASE_LOST',
  LockLost: 'ESJOBS_LOCK_LOST',
  LockTimeout: 'ESJOBS_LOCK_TIMEOUT',
  LockNotOwner: 'ESJOBS_LOCK_NOT_OWNER',
  Timeout: 'ESJOBS_TIMEOUT',
  Cancelled: 'ESJOBS_CANCELLED',
  Unrecoverable: 'ESJOBS_UNRECOVERABLE',
  Elasticsearch: 'ESJOBS_ELASTICSEARCH',
  Internal: 'ESJOBS_INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface EsJobsErrorOptions {
  readonly cause?: unknown;
}

export class EsJobsError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: EsJobsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input: names the field and the offending value. */
export class ValidationError extends EsJobsError {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, problem: string) {
    super(ErrorCode.Validation, `${field}: ${problem} (got ${describeValue(value)})`);
    this.field = field;
    this.value = value;
  }
}

/** The cluster could not be reached (DNS, refused, TLS, timeout). */
export class ConnectionError extends EsJobsError {
  constructor(message: string, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.Connection, message, options);
  }
}

/** The cluster rejected the credentials (401). */
export class AuthenticationError extends EsJobsError {
  constructor(message: string, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.Authentication, message, options);
  }
}

/** The credentials lack a privilege (403). */
export class AuthorizationError extends EsJobsError {
  constructor(message: string, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.Authorization, message, options);
  }
}

/** A conditional write lost (409): somebody else changed the document first. */
export class ConflictError extends EsJobsError {
  constructor(message: string, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.Conflict, message, options);
  }
}

export class NotFoundError extends EsJobsError {
  constructor(message: string, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.NotFound, message, options);
  }
}

export interface BackpressureErrorOptions extends EsJobsErrorOptions {
  /** HTTP status of the push-back (429 or 503), when known. */
  readonly status?: number;
}

/** The cluster pushed back (429 / 503) and retries ran out. */
export class BackpressureError extends EsJobsError {
  readonly status: number | undefined;

  constructor(message: string, options: BackpressureErrorOptions = {}) {
    super(ErrorCode.Backpressure, message, options);
    this.status = options.status;
  }
}

export interface MappingErrorOptions extends EsJobsErrorOptions {
  /** The index (or template) whose mapping is incompatible. */
  readonly index?: string;
  /** Dotted paths of the fields that differ. */
  readonly fields?: readonly string[];
}

/** An existing index's mapping is incompatible with what esjobs needs (or a write broke the mapping). */
export class MappingError extends EsJobsError {
  readonly index: string | undefined;
  readonly fields: readonly string[];

  constructor(message: string, options: MappingErrorOptions = {}) {
    super(ErrorCode.Mapping, message, options);
    this.index = options.index;
    this.fields = options.fields ?? [];
  }
}

/** The job's lease was lost (expired and reclaimed, cancelled, or completed elsewhere). */
export class LeaseLostError extends EsJobsError {
  readonly jobId: string;

  constructor(jobId: string, reason: string, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.LeaseLost, `lease lost for job ${jobId}: ${reason}`, options);
    this.jobId = jobId;
  }
}

export class LockLostError extends EsJobsError {
  readonly resource: string;

  constructor(resource: string, reason: string, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.LockLost, `lock lost on ${JSON.stringify(resource)}: ${reason}`, options);
    this.resource = resource;
  }
}

export class LockTimeoutError extends EsJobsError {
  readonly resource: string;

  constructor(resource: string, waitedMs: number) {
    super(ErrorCode.LockTimeout, `could not acquire lock ${JSON.stringify(resource)} within ${waitedMs} ms`);
    this.resource = resource;
  }
}

export class LockNotOwnerError extends EsJobsError {
  readonly resource: string;

  constructor(resource: string, reason: string) {
    super(ErrorCode.LockNotOwner, `not the owner of lock ${JSON.stringify(resource)}: ${reason}`);
    this.resource = resource;
  }
}

export class JobTimeoutError extends EsJobsError {
  constructor(jobId: string, timeoutMs: number) {
    super(ErrorCode.Timeout, `job ${jobId} timed out after ${timeoutMs} ms`);
  }
}

export class JobCancelledError extends EsJobsError {
  constructor(jobId: string) {
    super(ErrorCode.Cancelled, `job ${jobId} was cancelled`);
  }
}

/** Thrown by a handler to fail the job for good: no further attempts. */
export class UnrecoverableError extends EsJobsError {
  constructor(message: string, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.Unrecoverable, message, options);
  }
}

/** Any other Elasticsearch error: keeps the status and exception type. */
export class ElasticsearchError extends EsJobsError {
  readonly status: number | undefined;
  readonly esType: string | undefined;

  constructor(message: string, status: number | undefined, esType: string | undefined, options: EsJobsErrorOptions = {}) {
    super(ErrorCode.Elasticsearch, message, options);
    this.status = status;
    this.esType = esType;
  }
}

/** Wrap anything thrown into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new EsJobsError(ErrorCode.Internal, `non-error thrown: ${describeValue(thrown)}`, { cause: thrown });
}

/** A short, safe rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n (BigInt)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (value === undefined) return 'undefined';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
