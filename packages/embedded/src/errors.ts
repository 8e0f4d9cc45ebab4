/**
 * Elasticsearch-shaped errors. Every failure the engine reports is an EsError, rendered exactly as
 * Elasticsearch renders it: `{ error: { root_cause: [...], type, reason, ... }, status }`.
 * Builders for specific exceptions live next to the code that raises them or in store/errors.ts.
 */
export interface EsErrorCause {
  readonly type: string;
  readonly reason: string;
  readonly [key: string]: unknown;
}

export class EsError extends Error {
  readonly status: number;
  readonly cause_: EsErrorCause;
  readonly rootCauses: readonly EsErrorCause[];

  constructor(status: number, cause: EsErrorCause, rootCauses?: readonly EsErrorCause[]) {
    super(cause.reason);
    this.name = 'EsError';
    this.status = status;
    this.cause_ = cause;
    this.rootCauses = rootCauses ?? [stripNested(cause)];
  }

  get type(): string {
    return this.cause_.type;
  }

  /** The JSON body Elasticsearch returns for this error. */
  toBody(): { error: Record<string, unknown>; status: number } {
    return { error: { root_cause: this.rootCauses, ...this.cause_ }, status: this.status };
  }

  /** The `error` object used inside bulk/mget items (no root_cause there, as in Elasticsearch). */
  toItemError(): EsErrorCause {
    return this.cause_;
  }
}

function stripNested(cause: EsErrorCause): EsErrorCause {
  const { caused_by: _c, ...rest } = cause;
  return rest as EsErrorCause;
}

export function esError(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): EsError {
  return new EsError(status, { type, reason, ...extra });
}
