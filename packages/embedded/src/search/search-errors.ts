import { EsError, esError } from '../errors.js';
import type { EsErrorCause } from '../errors.js';

/** `parsing_exception` as Elasticsearch's query/body parsers raise it (line/col are best effort). */
export function parsingError(reason: string, extra: Record<string, unknown> = {}): EsError {
  return esError(400, 'parsing_exception', reason, { line: 1, col: 1, ...extra });
}

export function illegalArgument(reason: string): EsError {
  return esError(400, 'illegal_argument_exception', reason);
}

export function contentParseError(reason: string): EsError {
  return esError(400, 'x_content_parse_exception', `[1:1] ${reason}`);
}

/**
 * A failure raised while executing on a shard: Elasticsearch wraps it in
 * `search_phase_execution_exception` ("all shards failed") with one failure per shard.
 */
export function allShardsFailed(indices: readonly string[], cause: EsErrorCause, status = 400): EsError {
  return new EsError(
    status,
    {
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      phase: 'query',
      grouped: true,
      failed_shards: indices.slice(0, 1).map((index) => ({ shard: 0, index, node: 'embedded', reason: cause })),
      caused_by: cause,
    },
    [cause],
  );
}

/** An error that happens per shard (index): raised by compile/sort and wrapped by the handler. */
export class ShardError extends Error {
  readonly cause_: EsErrorCause;
  constructor(cause: EsErrorCause) {
    super(cause.reason);
    this.name = 'ShardError';
    this.cause_ = cause;
  }
}

export function shardError(type: string, reason: string, extra: Record<string, unknown> = {}): ShardError {
  return new ShardError({ type, reason, ...extra });
}
