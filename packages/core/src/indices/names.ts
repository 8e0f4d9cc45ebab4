/**
 * Index names derived from the prefix, and validation of the parts users choose (prefix, queue
 * names) against Elasticsearch's index-name rules, so a bad name fails at configuration time with
 * a ValidationError instead of as an `invalid_index_name_exception` deep inside a request.
 */
import { ValidationError } from '../errors.js';
import type { IndexNames } from '../backend/context.js';

export const prefixDefault = 'esjobs';

/** Elasticsearch rejects index names longer than this many bytes (UTF-8). */
export const INDEX_NAME_MAX_BYTES = 255;
/** Queue names become `<prefix>-dead-<queue>`, so they are bounded to leave room for the prefix. */
export const QUEUE_NAME_MAX_BYTES = 100;
const DEAD_INFIX = '-dead-';
/**
 * Longest prefix such that every derived name (the longest is `<prefix>-dead-<queue>` with a
 * queue of QUEUE_NAME_MAX_BYTES) stays within INDEX_NAME_MAX_BYTES.
 */
export const PREFIX_MAX_BYTES = INDEX_NAME_MAX_BYTES - DEAD_INFIX.length - QUEUE_NAME_MAX_BYTES;

// Characters Elasticsearch forbids in index names (plus `:` for remote clusters and `#`).
const FORBIDDEN = /[*,/\\?"<>|#:\s]/u;

function checkIndexPart(field: string, value: unknown, maxBytes: number): string {
  if (typeof value !== 'string') throw new ValidationError(field, value, 'must be a string');
  if (value === '') throw new ValidationError(field, value, 'must not be empty');
  if (value !== value.toLowerCase()) throw new ValidationError(field, value, 'must be lowercase (Elasticsearch index names are)');
  const bad = FORBIDDEN.exec(value);
  if (bad !== null) {
    const ch = bad[0];
    const shown = /\s/u.test(ch) ? 'whitespace' : `"${ch}"`;
    throw new ValidationError(field, value, `must not contain ${shown} (forbidden in index names: * , / \\ ? " < > | # : and whitespace)`);
  }
  if (/^[_\-+]/u.test(value)) throw new ValidationError(field, value, 'must not start with "_", "-" or "+"');
  if (value === '.' || value === '..') throw new ValidationError(field, value, 'must not be "." or ".."');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) throw new ValidationError(field, value, `is ${bytes} bytes long; at most ${maxBytes} bytes allowed`);
  return value;
}

/** Validate an index prefix; returns it unchanged. */
export function validatePrefix(prefix: unknown, field = 'prefix'): string {
  return checkIndexPart(field, prefix, PREFIX_MAX_BYTES);
}

/** Validate a queue name (it becomes part of the dead-letter index name); returns it unchanged. */
export function validateQueueName(queue: unknown, field = 'queue'): string {
  return checkIndexPart(field, queue, QUEUE_NAME_MAX_BYTES);
}

/** All index names for a (validated) prefix. `dead(queue)` validates the queue name. */
export function indexNames(prefix: string = prefixDefault): IndexNames {
  const p = validatePrefix(prefix);
  return Object.freeze({
    prefix: p,
    jobs: `${p}-jobs`,
    locks: `${p}-locks`,
    schedules: `${p}-schedules`,
    workers: `${p}-workers`,
    events: `${p}-events`,
    queues: `${p}-queues`,
    deadPattern: `${p}${DEAD_INFIX}*`,
    dead: (queue: string): string => `${p}${DEAD_INFIX}${validateQueueName(queue)}`,
  });
}
