/**
 * The one place where whatever the Elasticsearch client throws becomes an esjobs error.
 *
 * Matches on `name` and shape rather than `instanceof`, because a user may hand us a client from
 * @elastic/elasticsearch 8.x or 9.x, each with its own copy of the transport's error classes.
 * Messages never contain credentials: URLs lose their userinfo, headers are never echoed, and
 * anything that looks like `//user:pass@` in a client message is scrubbed.
 */
import {
  AuthenticationError,
  AuthorizationError,
  BackpressureError,
  ConflictError,
  ConnectionError,
  ElasticsearchError,
  EsJobsError,
  MappingError,
  NotFoundError,
  toError,
} from './errors.js';

export interface MapErrorContext {
  /** The operation, used as the message prefix (`claim: ...`). */
  readonly op?: string;
  /** The node URL, used when the error itself does not say which node failed. */
  readonly node?: string | URL;
}

/** An Elasticsearch error object: `body.error` of a failed response, or a bulk item's `error`. */
export interface EsErrorCause {
  readonly type?: string;
  readonly reason?: string | null;
  readonly root_cause?: readonly EsErrorCause[];
  readonly caused_by?: EsErrorCause;
  readonly [key: string]: unknown;
}

const CONNECTION_ERROR_NAMES = new Set(['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError']);

const MAPPING_TYPES = new Set([
  'mapper_parsing_exception',
  'strict_dynamic_mapping_exception',
  'document_parsing_exception',
  'mapper_exception',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Remove `user:pass@` from a URL (string or URL) and drop query strings that might carry keys. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(typeof url === 'string' ? url : url.href);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return scrubText(String(url));
  }
}

/** Scrub anything credential-shaped out of free text taken from a client or server message. */
export function scrubText(text: string): string {
  return text
    .replace(/(\w+:\/\/)[^/\s@]*@/gu, '$1')
    .replace(/(authorization|api[-_]?key|password)(["']?\s*[:=]\s*["']?)(?:(?:Basic|Bearer|ApiKey)\s+)?[^\s"',}]+/giu, '$1$2[redacted]');
}

function nodeOf(err: Record<string, unknown>, context: MapErrorContext): string | undefined {
  const meta = isRecord(err.meta) ? err.meta : undefined;
  const inner = meta !== undefined && isRecord(meta.meta) ? meta.meta : undefined;
  const connection = inner !== undefined && isRecord(inner.connection) ? inner.connection : undefined;
  const url = connection?.url;
  if (url instanceof URL || typeof url === 'string') return redactUrl(url);
  if (isRecord(url) && typeof url.href === 'string') return redactUrl(url.href);
  if (context.node !== undefined) return redactUrl(context.node);
  return undefined;
}

function statusOf(err: Record<string, unknown>): number | undefined {
  const meta = isRecord(err.meta) ? err.meta : undefined;
  if (typeof meta?.statusCode === 'number') return meta.statusCode;
  if (typeof err.statusCode === 'number') return err.statusCode;
  return undefined;
}

function bodyOf(err: Record<string, unknown>): unknown {
  const meta = isRecord(err.meta) ? err.meta : undefined;
  if (meta !== undefined && 'body' in meta) return meta.body;
  return err.body;
}

function causeOf(body: unknown): EsErrorCause | undefined {
  if (!isRecord(body)) return undefined;
  const e = body.error;
  if (isRecord(e)) return e as EsErrorCause;
  if (typeof e === 'string') return { type: undefined, reason: e };
  return undefined;
}

/** Every `type` in an error tree: top level, root causes, caused_by chain. */
function typesIn(cause: EsErrorCause): string[] {
  const out: string[] = [];
  const seen = new Set<EsErrorCause>();
  const walk = (c: EsErrorCause | undefined): void => {
    if (c === undefined || seen.has(c) || seen.size > 20) return;
    seen.add(c);
    if (typeof c.type === 'string') out.push(c.type);
    for (const r of c.root_cause ?? []) walk(r);
    walk(isRecord(c.caused_by) ? c.caused_by : undefined);
  };
  walk(cause);
  return out;
}

/** `type: reason`, plus the root cause's when it says something different. */
function describeCause(cause: EsErrorCause): string {
  const head = [cause.type, cause.reason].filter((s): s is string => typeof s === 'string' && s !== '').join(': ');
  const root = cause.root_cause?.[0] ?? (isRecord(cause.caused_by) ? cause.caused_by : undefined);
  let text = head;
  if (root !== undefined && typeof root.reason === 'string' && root.reason !== cause.reason) {
    text += ` (caused by ${[root.type, root.reason].filter(Boolean).join(': ')})`;
  }
  return scrubText(text === '' ? 'unknown error' : text);
}

function prefix(context: MapErrorContext): string {
  return context.op === undefined ? '' : `${context.op}: `;
}

function isMappingProblem(types: readonly string[], reason: string): boolean {
  if (types.some((t) => MAPPING_TYPES.has(t))) return true;
  // Elasticsearch reports a conflicting put-mapping as illegal_argument_exception "mapper [f] cannot be changed ..."
  return types.includes('illegal_argument_exception') && /\bmapper \[[^\]]*\] (cannot be changed|of different type)/u.test(reason);
}

/** The privilege a 403 names: "action [x] is unauthorized ... granted by the index privileges [a,b]". */
function describePrivilege(reason: string): string | undefined {
  const action = /action \[([^\]]+)\]/u.exec(reason)?.[1];
  const granted = /granted by the ((?:cluster|index)(?:, (?:cluster|index))? privileges) \[([^\]]+)\]/u.exec(reason);
  const indices = / on indices \[([^\]]+)\]/u.exec(reason)?.[1];
  if (action === undefined && granted === null) return undefined;
  let text = action === undefined ? 'a privilege is missing' : `the credentials may not perform ${action}`;
  if (indices !== undefined) text += ` on ${indices}`;
  if (granted !== null) text += `; it needs one of the ${granted[1]} [${granted[2]}]`;
  return text;
}

/**
 * Map an Elasticsearch error object (a response body's `error` or a bulk item's `error`) with its
 * HTTP status to an esjobs error. Used by mapEsError and by the bulk item classifier.
 */
export function mapEsErrorBody(status: number | undefined, body: unknown, context: MapErrorContext = {}, cause?: unknown): EsJobsError {
  const esCause = causeOf(body) ?? (isRecord(body) && typeof body.type === 'string' ? (body as EsErrorCause) : undefined);
  const types = esCause === undefined ? [] : typesIn(esCause);
  const reasonText = esCause === undefined ? '' : describeCause(esCause);
  const type = esCause?.type ?? undefined;
  const p = prefix(context);
  const opts = { cause };

  if (status === 401) {
    return new AuthenticationError(`${p}authentication failed: check the API key / username and password${reasonText === '' ? '' : ` (${reasonText})`}`, opts);
  }
  if (status === 403 && !types.includes('cluster_block_exception')) {
    const rawReason = typeof esCause?.reason === 'string' ? esCause.reason : '';
    const privilege = describePrivilege(rawReason);
    return new AuthorizationError(`${p}not authorized: ${privilege ?? (reasonText === '' ? 'the credentials lack a privilege' : reasonText)}`, opts);
  }
  if (status === 409 || types.includes('version_conflict_engine_exception')) {
    return new ConflictError(`${p}${reasonText === '' ? 'version conflict' : reasonText}`, opts);
  }
  if (status === 429 || status === 503 || types.includes('es_rejected_execution_exception')) {
    return new BackpressureError(`${p}cluster pushed back (HTTP ${status ?? '?'}): ${reasonText === '' ? 'rejected' : reasonText}`, { cause, status: status ?? 429 });
  }
  if (isMappingProblem(types, reasonText)) {
    return new MappingError(`${p}${reasonText}`, opts);
  }
  if (status === 404) {
    if (esCause !== undefined) return new NotFoundError(`${p}${reasonText}`, opts);
    // GET of a missing document: 404 with { _index, _id, found: false } and no error object
    const index = isRecord(body) && typeof body._index === 'string' ? body._index : undefined;
    const id = isRecord(body) && typeof body._id === 'string' ? body._id : undefined;
    return new NotFoundError(`${p}${id === undefined ? 'not found' : `document [${id}] not found`}${index === undefined ? '' : ` in [${index}]`}`, opts);
  }
  let text = reasonText;
  if (text === '' && typeof body === 'string' && body !== '') text = scrubText(body.length > 200 ? `${body.slice(0, 197)}...` : body);
  return new ElasticsearchError(`${p}Elasticsearch error${status === undefined ? '' : ` ${status}`}: ${text === '' ? 'no details' : text}`, status, type, opts);
}

/**
 * Turn anything the client throws into an esjobs error. Errors that already are esjobs errors
 * pass through; programming errors (TypeError and the like) pass through unchanged; non-Error
 * throws are wrapped with `cause`.
 */
export function mapEsError(err: unknown, context: MapErrorContext = {}): Error {
  if (err instanceof EsJobsError) return err;
  if (!isRecord(err)) return toError(err);
  const name = typeof err.name === 'string' ? err.name : '';
  const p = prefix(context);
  const rawMessage = typeof err.message === 'string' ? scrubText(err.message) : '';

  if (CONNECTION_ERROR_NAMES.has(name)) {
    const node = nodeOf(err, context);
    const what = name === 'TimeoutError' ? 'request timed out' : 'cluster is unreachable';
    return new ConnectionError(`${p}Elasticsearch ${what}${node === undefined ? '' : ` at ${node}`}${rawMessage === '' ? '' : ` (${rawMessage})`}`, { cause: err });
  }
  if (name === 'ProductNotSupportedError') {
    const node = nodeOf(err, context);
    return new ConnectionError(`${p}the server${node === undefined ? '' : ` at ${node}`} is not Elasticsearch (the client's product check failed)`, { cause: err });
  }
  if (name === 'DeserializationError') {
    return new ElasticsearchError(`${p}could not parse the response from Elasticsearch${rawMessage === '' ? '' : ` (${rawMessage})`}`, undefined, 'deserialization_error', { cause: err });
  }
  if (name === 'SerializationError') {
    return new ElasticsearchError(`${p}could not serialize the request${rawMessage === '' ? '' : ` (${rawMessage})`}`, undefined, 'serialization_error', { cause: err });
  }
  if (name === 'RequestAbortedError') {
    return new ElasticsearchError(`${p}request aborted`, undefined, 'request_aborted', { cause: err });
  }
  if (name === 'ConfigurationError') {
    return new ElasticsearchError(`${p}client configuration error: ${rawMessage}`, undefined, 'configuration_error', { cause: err });
  }
  // ResponseError, or a look-alike from another transport version: a status and a response body
  if (name === 'ResponseError' || (name !== 'TypeError' && statusOf(err) !== undefined && isRecord(err.meta))) {
    return mapEsErrorBody(statusOf(err), bodyOf(err), context, err);
  }
  return err instanceof Error ? err : toError(err);
}
