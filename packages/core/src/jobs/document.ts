/**
 * Building job documents and reading them back from `_source`. The only place that knows how
 * times are encoded (ISO strings in documents, epoch ms in code).
 */
import { randomUUID } from 'node:crypto';
import type { JobDocument } from './job.js';
import type { ResolvedJobOptions } from './options.js';
import { JobState, isJobState } from './state.js';
import { partitionOf } from './partition.js';
import { EsJobsError, ErrorCode } from '../errors.js';

// A batch stamps many documents with the same few instants (now, now + lease): remember the last
// two conversions instead of formatting a Date for every field of every job.
let isoMsA = Number.NaN;
let isoA = '';
let isoMsB = Number.NaN;
let isoB = '';

export function iso(ms: number): string {
  if (ms === isoMsA) return isoA;
  if (ms === isoMsB) return isoB;
  const text = new Date(ms).toISOString();
  isoMsB = isoMsA;
  isoB = isoA;
  isoMsA = ms;
  isoA = text;
  return text;
}

/** Epoch ms of an ISO-8601 time from a document; undefined when absent or unparsable. */
export function toMs(isoTime: string | null | undefined): number | undefined {
  if (isoTime === null || isoTime === undefined) return undefined;
  const t = Date.parse(isoTime);
  return Number.isNaN(t) ? undefined : t;
}

export function newJobId(): string {
  return randomUUID();
}

export function newJobDocument(id: string, name: string, payload: unknown, o: ResolvedJobOptions, now: number): JobDocument {
  const doc: JobDocument = {
    jobId: id,
    name,
    queue: o.queue,
    state: JobState.queued,
    priority: o.priority,
    runAt: iso(o.runAtMs),
    enqueuedAt: iso(now),
    startedAt: null,
    finishedAt: null,
    attempt: 0,
    maxAttempts: o.maxAttempts,
    backoff: o.backoff,
    timeoutMs: o.timeoutMs,
    payload: payload === undefined ? null : payload,
    result: null,
    lease: null,
    stalls: 0,
    maxStalls: o.maxStalls,
    errors: [],
    lastError: null,
    cancelRequested: false,
    progress: null,
    deadLetter: false,
    partition: partitionOf(id),
    updatedAt: iso(now),
    ...(o.scheduleName === undefined ? {} : { scheduleName: o.scheduleName }),
    ...(o.fireTimeMs === undefined ? {} : { fireTime: iso(o.fireTimeMs) }),
  };
  return doc;
}

/**
 * The document as request-body JSON, splicing in the payload text validatePayload already
 * produced: a large payload is then serialized once, not twice per enqueue.
 */
export function jobDocumentJson(doc: JobDocument, payloadJson: string): string {
  const rest: Record<string, unknown> = { ...doc };
  delete rest['payload'];
  return `{"payload":${payloadJson},${JSON.stringify(rest).slice(1)}`;
}

/** Trust but check: a document that is not a job (foreign writes, old versions) is an internal error, not a crash later. */
export function readJobDocument(source: unknown, id: string): JobDocument {
  if (typeof source !== 'object' || source === null) {
    throw new EsJobsError(ErrorCode.Internal, `job ${id}: document has no _source`);
  }
  const s = source as Record<string, unknown>;
  if (!isJobState(s['state']) || typeof s['queue'] !== 'string' || typeof s['name'] !== 'string') {
    throw new EsJobsError(ErrorCode.Internal, `job ${id}: not a job document (state ${String(s['state'])})`);
  }
  const doc = s as unknown as JobDocument;
  return { ...doc, errors: Array.isArray(s['errors']) ? doc.errors : [] };
}

/** Strip fields that exist only in dead-letter documents. */
export function liveFields(source: Record<string, unknown>): Record<string, unknown> {
  const { deadLetteredAt: _a, deadReason: _b, ...rest } = source;
  return rest;
}
