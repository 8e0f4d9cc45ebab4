/**
 * The only reasons, besides Elasticsearch's own skip/requires rules, for which a test is skipped:
 * it uses something outside the embedded engine's scope (issue 2 lists what is in scope) or a
 * YAML-format feature this runner does not implement. Each rule looks at the `do:` calls of a
 * test (setup included) before anything runs. A test that merely fails is a failure, never a skip.
 */
import type { ApiSpecs } from './api-specs.js';
import type { SkipDecision } from './prerequisites.js';
import type { Step } from './suite.js';

/** One `do:` call as the rules see it. */
export interface DoCall {
  readonly api: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** `body` argument, if any. */
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
  /** Keys of the `do` map besides the API (catch, headers, node_selector, warnings, …). */
  readonly options: ReadonlySet<string>;
}

/** Mapping field types the engine implements (contracts.ts FieldType), plus `object`-like containers. */
const inScopeFieldTypes = new Set([
  'keyword', 'text', 'long', 'integer', 'short', 'byte', 'double', 'float', 'half_float',
  'scaled_float', 'unsigned_long', 'boolean', 'date', 'object', 'flattened',
]);

/** Queries of the list; anything else (scoring, geo, nested, wildcard, …) is out of scope. */
const inScopeQueries = new Set([
  'match_all', 'match_none', 'ids', 'term', 'terms', 'range', 'exists', 'prefix', 'bool', 'match',
  // implemented beyond the list:
  'wildcard', 'constant_score', 'multi_match',
]);

/** Aggregations of the list. */
const inScopeAggs = new Set([
  'terms', 'min', 'max', 'sum', 'avg', 'value_count', 'date_histogram',
  // implemented beyond the list:
  'cardinality', 'filter', 'filters',
]);

/** Search body keys of features the issue does not list. */
const outOfScopeSearchKeys: Readonly<Record<string, string>> = {
  highlight: 'highlighting',
  suggest: 'suggesters',
  collapse: 'field collapsing',
  rescore: 'rescoring and scoring details',
  profile: 'search profiling',
  explain: 'scoring explanations',
  pit: 'point in time',
  knn: 'vectors',
  runtime_mappings: 'runtime fields',
  stored_fields: 'stored fields',
  fields: 'fetch `fields` API',
  indices_boost: 'scoring details (indices_boost)',
  min_score: 'scoring details (min_score)',
  script_fields: 'scripts',
  slice: 'sliced scroll/search',
  post_filter: 'post_filter',
  retriever: 'retrievers',
  rank: 'ranking',
};

/** Request parameters of features the issue does not list. */
const outOfScopeParams: Readonly<Record<string, string>> = {
  include_type_name: 'types API (pre-8.0)',
  routing: 'routing and multiple shards',
  parent: 'parent/child (join) routing',
  pipeline: 'ingest pipelines',
  require_alias: 'aliases',
  scroll: 'scroll',
  stored_fields: 'stored fields',
  preference: 'routing and multiple shards',
  search_type: 'scoring details (search_type)',
  batched_reduce_size: 'routing and multiple shards',
  pre_filter_shard_size: 'routing and multiple shards',
  ccs_minimize_roundtrips: 'cross-cluster search',
  include_named_queries_score: 'scoring details',
  force_synthetic_source: 'synthetic source',
};

/** Index settings (without the `index.` prefix) of features the issue does not list. */
const outOfScopeSettings: readonly [RegExp, string][] = [
  [/^analysis(\.|$)/, 'analyzers'],
  [/^sort\./, 'index sorting'],
  [/^mode$/, 'index modes (time_series, logsdb, lookup)'],
  [/^mapping\.source\.mode$/, 'synthetic source'],
  [/^routing_path$|^routing_partition_size$|^routing\./, 'routing and multiple shards'],
  [/^mapping\.nested_/, 'nested'],
  [/^similarity(\.|$)/, 'scoring details (similarity)'],
  [/^default_pipeline$|^final_pipeline$/, 'ingest pipelines'],
  [/^time_series\./, 'index modes (time_series, logsdb, lookup)'],
  [/^mapping\.(total_fields|depth|nested_fields|field_name_length|dimension_fields|total_tokens_per_document)\./, 'mapping limit settings'],
];

/** Keys inside a field mapping of features the issue does not list. */
const outOfScopeFieldParams: Readonly<Record<string, string>> = {
  // built-in analyzer names are plain mapping parameters; custom ones need `analysis` settings (above)
  copy_to: 'copy_to',
  synthetic_source_keep: 'synthetic source',
  time_series_dimension: 'index modes (time_series, logsdb, lookup)',
  time_series_metric: 'index modes (time_series, logsdb, lookup)',
  subobjects: 'subobjects',
  similarity: 'scoring details (similarity)',
  index_phrases: 'analyzers (index_phrases)',
  index_prefixes: 'analyzers (index_prefixes)',
};

/** Root mapping keys that are not a type name (anything else at the root holding `properties` is a pre-8.0 type). */
const rootMappingKeys = new Set([
  'properties', 'dynamic', '_source', '_meta', 'dynamic_templates', '_routing', 'enabled',
  'date_detection', 'numeric_detection', 'dynamic_date_formats', 'runtime', 'subobjects',
  '_field_names', '_data_stream_timestamp', '_doc_count', '_size', '_all', '_parent',
]);

const categoryOf = (what: string): string => `outside engine scope: ${what}`;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Flatten `{index: {number_of_shards: 2}}` and `{"index.number_of_shards": 2}` alike to `number_of_shards`. */
function flatSettings(settings: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (!isRecord(settings)) return out;
  for (const [k, v] of Object.entries(settings)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (isRecord(v)) flatSettings(v, key, out);
    else out.set(key.replace(/^index\./, ''), v);
  }
  return out;
}

function checkSettings(settings: unknown): string | undefined {
  for (const [key, value] of flatSettings(settings)) {
    // number_of_shards alone is accepted: a single-shard engine answers the same documents
    if (key === 'mode' && value === 'standard') continue;
    for (const [re, what] of outOfScopeSettings) if (re.test(key)) return what;
  }
  return undefined;
}

/** Walk field mappings (properties, multi-fields); report the first out-of-scope type or parameter. */
function checkProperties(properties: unknown, expectsError = false): string | undefined {
  if (!isRecord(properties)) return undefined;
  for (const field of Object.values(properties)) {
    if (!isRecord(field)) continue;
    const type = field['type'];
    if (typeof type === 'string' && !inScopeFieldTypes.has(type)) {
      if (type === 'nested') return 'nested';
      if (type.startsWith('geo_') || type === 'shape' || type === 'point') return 'geo';
      if (type === 'dense_vector' || type === 'sparse_vector' || type === 'rank_vectors') return 'vectors';
      if (type === 'join') return 'parent/child (join)';
      if (type === 'percolator') return 'percolator';
      if (type === 'alias') return 'aliases (field aliases)';
      // an unknown type sent to be rejected tests the engine's error, which is in scope
      if (!expectsError) return `mapping type ${type}`;
    }
    for (const [param, what] of Object.entries(outOfScopeFieldParams)) if (param in field) return what;
    const nested = checkProperties(field['properties'], expectsError) ?? checkProperties(field['fields'], expectsError);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** `expectsError`: a typed mapping sent to get an 8.x rejection is an 8.x test, not a types one. */
function checkMappings(mappings: unknown, expectsError = false): string | undefined {
  if (!isRecord(mappings)) return undefined;
  for (const [key, value] of Object.entries(mappings)) {
    if (!rootMappingKeys.has(key) && isRecord(value) && !expectsError) return 'types API (pre-8.0)';
  }
  if ('runtime' in mappings) return 'runtime fields';
  if ('dynamic_templates' in mappings) return 'dynamic templates';
  if ('subobjects' in mappings) return 'subobjects';
  if ('_routing' in mappings) return 'routing and multiple shards';
  const source = mappings['_source'];
  if (isRecord(source) && source['mode'] === 'synthetic') return 'synthetic source';
  return checkProperties(mappings['properties'], expectsError);
}

function checkQuery(query: unknown): string | undefined {
  if (!isRecord(query)) return undefined;
  for (const [type, inner] of Object.entries(query)) {
    if (!inScopeQueries.has(type)) {
      if (type.startsWith('geo_')) return 'geo';
      if (type === 'nested' || type === 'has_child' || type === 'has_parent') return 'nested';
      if (type === 'script' || type === 'script_score') return 'scripts';
      return `query ${type}`;
    }
    if (type === 'bool' && isRecord(inner)) {
      for (const clause of ['must', 'filter', 'should', 'must_not']) {
        const c = inner[clause];
        for (const q of Array.isArray(c) ? c : [c]) {
          const r = checkQuery(q);
          if (r !== undefined) return r;
        }
      }
    }
  }
  return undefined;
}

function checkAggs(aggs: unknown): string | undefined {
  if (!isRecord(aggs)) return undefined;
  for (const agg of Object.values(aggs)) {
    if (!isRecord(agg)) continue;
    for (const [type, body] of Object.entries(agg)) {
      if (type === 'aggs' || type === 'aggregations') {
        const r = checkAggs(body);
        if (r !== undefined) return r;
      } else if (type !== 'meta' && !inScopeAggs.has(type)) {
        return `aggregation ${type}`;
      } else if (isRecord(body) && 'script' in body) {
        return 'scripts';
      }
    }
  }
  return undefined;
}

function checkSort(sort: unknown): string | undefined {
  for (const s of Array.isArray(sort) ? sort : [sort]) {
    if (!isRecord(s)) continue;
    if ('_script' in s) return 'scripts';
    if ('_geo_distance' in s) return 'geo';
    for (const v of Object.values(s)) if (isRecord(v) && 'nested' in v) return 'nested';
  }
  return undefined;
}

function checkSearchBody(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  for (const [key, what] of Object.entries(outOfScopeSearchKeys)) if (key in body) return what;
  return checkQuery(body['query']) ?? checkAggs(body['aggs'] ?? body['aggregations']) ?? checkSort(body['sort']);
}

function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** Bulk bodies: action metadata with types, routing or pipelines; update lines with scripts. */
function checkBulkBody(body: unknown): string | undefined {
  let lines: unknown[] = [];
  if (Array.isArray(body)) lines = body.map((l) => (typeof l === 'string' ? parseJsonLine(l) : l));
  else if (typeof body === 'string') {
    lines = body
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(parseJsonLine);
  }
  for (const line of lines) {
    if (!isRecord(line)) continue;
    for (const [action, meta] of Object.entries(line)) {
      if (['index', 'create', 'update', 'delete'].includes(action) && isRecord(meta)) {
        // 8.x rejects `_type` in action metadata, even `_doc`
        if ('_type' in meta || ('type' in meta && meta['type'] !== '_doc')) return 'types API (pre-8.0)';
        if ('routing' in meta || '_routing' in meta) return 'routing and multiple shards';
        if ('pipeline' in meta) return 'ingest pipelines';
        if ('require_alias' in meta) return 'aliases';
        if ('dynamic_templates' in meta) return 'dynamic templates';
      }
    }
    if ('script' in line || 'scripted_upsert' in line) return 'scripts';
  }
  return undefined;
}

/** Rules per API; every call is also checked for parameters, unknown APIs and runner features. */
function checkCall(call: DoCall, specs: ApiSpecs): SkipDecision | undefined {
  if (call.options.has('node_selector')) {
    return { category: 'YAML runner feature not implemented: node_selector', reason: 'node_selector (single node)' };
  }
  if (!specs.has(call.api)) {
    // the corpus ships a spec for every in-scope API, so a missing spec means an out-of-scope API
    return { category: categoryOf('API not in issue 2 (no spec in the corpus)'), reason: `API [${call.api}]` };
  }
  for (const [param, what] of Object.entries(outOfScopeParams)) {
    if (param in call.args) return { category: categoryOf(what), reason: `parameter [${param}] of [${call.api}]` };
  }
  const type = call.args['type'];
  if (type !== undefined && type !== '_doc') {
    return { category: categoryOf('types API (pre-8.0)'), reason: `type [${String(type)}] in [${call.api}]` };
  }
  const contentType = Object.entries(call.headers).find(([k]) => /^(content-type|accept)$/i.test(k))?.[1];
  if (contentType !== undefined && !/json/i.test(contentType)) {
    return { category: categoryOf('non-JSON content types'), reason: `content type [${contentType}]` };
  }
  let what: string | undefined;
  const body = call.body;
  switch (call.api) {
    case 'indices.create':
      if (isRecord(body)) {
        if ('aliases' in body) what = 'aliases';
        what ??= checkSettings(body['settings']) ?? checkMappings(body['mappings'], call.options.has('catch'));
      }
      break;
    case 'indices.put_mapping':
      what = checkMappings(body, call.options.has('catch'));
      break;
    case 'search':
    case 'count':
    case 'delete_by_query':
      what = checkSearchBody(body);
      break;
    case 'update':
      if (isRecord(body) && ('script' in body || 'scripted_upsert' in body)) what = 'scripts';
      break;
    case 'bulk':
      what = checkBulkBody(body);
      break;
  }
  return what === undefined ? undefined : { category: categoryOf(what), reason: `${what} in [${call.api}]` };
}

/** Turn a `do:` step value into a DoCall, or undefined when malformed (the run will report it). */
export function toDoCall(value: unknown): DoCall | undefined {
  if (!isRecord(value)) return undefined;
  const options = new Set<string>();
  let api: string | undefined;
  let args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (doOptionKeys.has(k)) options.add(k);
    else {
      api = k;
      args = isRecord(v) ? v : {};
    }
  }
  if (api === undefined) return undefined;
  const rawHeaders = value['headers'];
  const headers: Record<string, string> = {};
  if (isRecord(rawHeaders)) for (const [k, v] of Object.entries(rawHeaders)) headers[k] = String(v);
  return { api, args, body: args['body'], headers, options };
}

export const doOptionKeys: ReadonlySet<string> = new Set([
  'catch', 'headers', 'warnings', 'warnings_regex', 'allowed_warnings', 'allowed_warnings_regex', 'node_selector',
]);

/** Assertion kinds that the runner does not implement. */
const unimplementedSteps: Readonly<Record<string, string>> = {
  transform_and_set: 'transform_and_set',
  is_after: 'is_after',
};

/** Paths an assertion step looks at (`match: {a.b: 1}` → `a.b`, `is_true: a` → `a`). */
function assertedPaths(step: Step): string[] {
  if (typeof step.value === 'string') return [step.value];
  return isRecord(step.value) ? Object.keys(step.value) : [];
}

/** An index created with more than one shard. */
function multiShard(call: DoCall): boolean {
  if (call.api !== 'indices.create' || !isRecord(call.body)) return false;
  return Number(flatSettings(call.body['settings']).get('number_of_shards') ?? 1) > 1;
}

/** Decide whether a test must be skipped for scope or runner reasons, looking at all its steps. */
export function scopeSkip(steps: readonly Step[], specs: ApiSpecs): SkipDecision | undefined {
  const asserted = steps.filter((s) => s.kind !== 'do' && s.kind !== 'skip' && s.kind !== 'requires').flatMap(assertedPaths);
  // 7.x responses carried `_type`; 8.x has none, so these assertions test the removed types API
  const typePath = asserted.find((p) => /(^|\.)_type$/.test(p));
  if (typePath !== undefined) {
    return { category: categoryOf('types API (pre-8.0)'), reason: `asserts the removed [${typePath}] response field` };
  }
  // shard counts of a multi-shard index depend on sharding, not on the documents
  const calls = steps.filter((s) => s.kind === 'do').map((s) => toDoCall(s.value));
  if (calls.some((c) => c !== undefined && multiShard(c)) && asserted.some((p) => p.startsWith('_shards'))) {
    return { category: categoryOf('routing and multiple shards'), reason: 'asserts shard counts of a multi-shard index' };
  }
  for (const step of steps) {
    const feature = unimplementedSteps[step.kind];
    if (feature !== undefined) {
      return { category: `YAML runner feature not implemented: ${feature}`, reason: `${feature} step` };
    }
    if (step.kind !== 'do') continue;
    const call = toDoCall(step.value);
    if (call === undefined) continue;
    const decision = checkCall(call, specs);
    if (decision !== undefined) return decision;
  }
  return undefined;
}
