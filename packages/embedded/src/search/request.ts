/**
 * Request parsing shared by _search, _count and _delete_by_query: URL parameter validation (the
 * parameters each API's spec lists), booleans and integers as Elasticsearch parses them, and
 * the JSON body.
 */
import type { EngineRequest, ResolveOptions } from '../contracts.js';
import { esError } from '../errors.js';

const commonParams = ['pretty', 'human', 'error_trace', 'source', 'filter_path', 'format'];
const indicesParams = ['ignore_unavailable', 'ignore_throttled', 'allow_no_indices', 'expand_wildcards'];
const qParams = ['q', 'analyzer', 'analyze_wildcard', 'default_operator', 'df', 'lenient'];

export const searchParams = new Set([
  ...commonParams, ...indicesParams, ...qParams,
  'ccs_minimize_roundtrips', 'explain', 'stored_fields', 'docvalue_fields', 'from', 'preference', 'routing',
  'scroll', 'search_type', 'size', 'sort', '_source', '_source_excludes', '_source_includes', 'terminate_after',
  'stats', 'suggest_field', 'suggest_mode', 'suggest_size', 'suggest_text', 'timeout', 'track_scores',
  'track_total_hits', 'allow_partial_search_results', 'typed_keys', 'version', 'seq_no_primary_term',
  'request_cache', 'batched_reduce_size', 'max_concurrent_shard_requests', 'pre_filter_shard_size',
  'rest_total_hits_as_int', 'min_compatible_shard_node', 'include_named_queries_score', 'force_synthetic_source',
]);

export const countParams = new Set([...commonParams, ...indicesParams, ...qParams, 'min_score', 'preference', 'routing', 'terminate_after']);

export const deleteByQueryParams = new Set([
  ...commonParams, ...indicesParams, ...qParams,
  'from', 'conflicts', 'preference', 'routing', 'scroll', 'search_type', 'search_timeout', 'max_docs', 'sort',
  '_source', '_source_excludes', '_source_includes', 'terminate_after', 'stats', 'version', 'request_cache',
  'refresh', 'timeout', 'wait_for_active_shards', 'scroll_size', 'wait_for_completion', 'requests_per_second', 'slices',
]);

export function checkParams(req: EngineRequest, allowed: ReadonlySet<string>): void {
  const bad = Object.keys(req.query).filter((k) => !allowed.has(k));
  if (bad.length === 0) return;
  const list = bad.map((k) => `[${k}]`).join(', ');
  throw esError(400, 'illegal_argument_exception', `request [${req.path}] contains unrecognized parameter${bad.length > 1 ? 's' : ''}: ${list}`);
}

export function boolParam(req: EngineRequest, name: string, dflt: boolean): boolean {
  const v = req.query[name];
  if (v === undefined) return dflt;
  if (v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw esError(400, 'illegal_argument_exception', `Failed to parse value [${v}] as only [true] or [false] are allowed.`);
}

export function intParam(req: EngineRequest, name: string): number | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) {
    throw esError(400, 'illegal_argument_exception', `Failed to parse int parameter [${name}] with value [${v}]`);
  }
  return Number(v);
}

export function resolveOptions(req: EngineRequest): ResolveOptions {
  const opts: { -readonly [K in keyof ResolveOptions]: ResolveOptions[K] } = {};
  if (req.query.ignore_unavailable !== undefined) opts.ignoreUnavailable = boolParam(req, 'ignore_unavailable', false);
  if (req.query.allow_no_indices !== undefined) opts.allowNoIndices = boolParam(req, 'allow_no_indices', true);
  if (req.query.expand_wildcards !== undefined) opts.expandWildcards = req.query.expand_wildcards;
  return opts;
}

/** The JSON body as an object; undefined when there is none. */
export function parseBody(req: EngineRequest): Record<string, unknown> | undefined {
  const raw = req.body;
  const text = raw === undefined ? (req.query.source ?? '') : raw.toString('utf8');
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw esError(400, 'x_content_parse_exception', `[1:1] ${msg}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw esError(400, 'parsing_exception', 'Unknown key for a VALUE_STRING in [null].', { line: 1, col: 1 });
  }
  return parsed as Record<string, unknown>;
}

/** Jackson's token name for a value, as Elasticsearch's "Unknown key for a X in [k]" messages show it. */
export function tokenName(v: unknown): string {
  if (Array.isArray(v)) return 'START_ARRAY';
  if (v === null) return 'VALUE_NULL';
  switch (typeof v) {
    case 'object': return 'START_OBJECT';
    case 'string': return 'VALUE_STRING';
    case 'number': return 'VALUE_NUMBER';
    case 'boolean': return 'VALUE_BOOLEAN';
    default: return 'VALUE_EMBEDDED_OBJECT';
  }
}
