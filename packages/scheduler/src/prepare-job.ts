/**
 * Turning one producer input into the job the store creates: validated once (name, options,
 * payload), with its id and document, and the payload text validatePayload produced so the bulk
 * does not serialize the payload again.
 */
import { type JobOptions, type JobType, type NewJob, ValidationError, newJobDocument, newJobId, validateJobName, validateJobOptions, validatePayload } from '@esjobs/core';

/** One item of `enqueueMany`. */
export interface EnqueueItem {
  /** Job name or job definition. */
  readonly name: string | JobType<string, never>;
  readonly payload?: unknown;
  readonly options?: JobOptions;
}

export interface PreparedJob {
  readonly job: NewJob;
  /** When the job is due (epoch ms), for the `job:enqueued` event. */
  readonly runAtMs: number;
  /** Whether the caller chose the id (`options.jobId`): only such ids can repeat. */
  readonly explicitId: boolean;
}

/** Job options of a definition, overridden by the item's own. */
function mergedOptions(type: JobType<string, never> | undefined, options: JobOptions | undefined): unknown {
  // The common case, a name and options, passes the caller's object straight to validation.
  if (type === undefined && options !== null) return options;
  return {
    ...(type?.queue === undefined ? {} : { queue: type.queue }),
    ...(type?.attempts === undefined ? {} : { attempts: type.attempts }),
    ...(type?.backoff === undefined ? {} : { backoff: type.backoff }),
    ...(type?.timeout === undefined ? {} : { timeout: type.timeout }),
    ...options,
  };
}

/** Validate `item` (errors name `field`) and build its job as of `now`. */
export function prepareJob(item: EnqueueItem | undefined, field: string, now: number, maxPayloadBytes: number): PreparedJob {
  if (typeof item !== 'object' || item === null) throw new ValidationError(field, item, 'must be { name, payload, options }');
  const type = typeof item.name === 'object' && item.name !== null ? item.name : undefined;
  const name = validateJobName(type === undefined ? item.name : type.name, `${field}.name`);
  const resolved = validateJobOptions(mergedOptions(type, item.options), now, `${field}.options`);
  const { json } = validatePayload(item.payload, { maxBytes: maxPayloadBytes, field: `${field}.payload` });
  const id = resolved.jobId ?? newJobId();
  const doc = newJobDocument(id, name, item.payload, resolved, now);
  return { job: { id, doc, payloadJson: json }, runAtMs: resolved.runAtMs, explicitId: resolved.jobId !== undefined };
}
