/**
 * Query DSL parsing: JSON → a validated query tree, independent of any index. Errors are the
 * ones Elasticsearch's parsers raise (`parsing_exception` "unknown query [x]", unsupported
 * fields, malformed clauses).
 */
import { esError } from '../errors.js';
import type { EsError } from '../errors.js';
import { parsingError } from './search-errors.js';

export type QueryNode =
  | { readonly kind: 'match_all'; readonly boost: number }
  | { readonly kind: 'match_none' }
  | { readonly kind: 'ids'; readonly ids: readonly string[]; readonly boost: number }
  | { readonly kind: 'term'; readonly field: string; readonly values: readonly unknown[]; readonly boost: number; readonly caseInsensitive: boolean; readonly name: string }
  | { readonly kind: 'range'; readonly field: string; readonly bounds: RangeBounds; readonly boost: number }
  | { readonly kind: 'exists'; readonly field: string; readonly boost: number }
  | { readonly kind: 'prefix'; readonly field: string; readonly value: string; readonly caseInsensitive: boolean; readonly boost: number }
  | { readonly kind: 'wildcard'; readonly field: string; readonly value: string; readonly caseInsensitive: boolean; readonly boost: number }
  | { readonly kind: 'bool'; readonly must: readonly QueryNode[]; readonly filter: readonly QueryNode[]; readonly should: readonly QueryNode[]; readonly mustNot: readonly QueryNode[]; readonly minimumShouldMatch: string | number | undefined; readonly boost: number }
  | { readonly kind: 'match'; readonly fields: readonly string[]; readonly query: unknown; readonly operator: 'or' | 'and'; readonly minimumShouldMatch: string | number | undefined; readonly boost: number }
  | { readonly kind: 'constant_score'; readonly filter: QueryNode; readonly boost: number };

export interface RangeBounds {
  readonly gt?: unknown;
  readonly gte?: unknown;
  readonly lt?: unknown;
  readonly lte?: unknown;
  readonly format?: string;
  readonly timeZone?: string;
}

/** Queries Elasticsearch has that this engine does not implement: a clear 400, never a wrong answer. */
const knownUnsupported = new Set([
  'query_string', 'simple_query_string', 'fuzzy', 'regexp', 'nested', 'has_child', 'has_parent', 'geo_distance',
  'geo_bounding_box', 'geo_shape', 'script', 'script_score', 'function_score', 'more_like_this', 'dis_max',
  'boosting', 'match_phrase', 'match_phrase_prefix', 'match_bool_prefix', 'intervals', 'span_term', 'terms_set',
  'distance_feature', 'rank_feature', 'pinned', 'percolate', 'wrapper', 'knn', 'combined_fields', 'parent_id',
]);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseQuery(json: unknown): QueryNode {
  if (!isObj(json)) throw parsingError('[_na] query malformed, must start with start_object');
  const keys = Object.keys(json);
  if (keys.length === 0) return { kind: 'match_all', boost: 1 };
  const [type] = keys;
  if (type === undefined) return { kind: 'match_all', boost: 1 };
  if (keys.length > 1) {
    throw parsingError(`[${type}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`);
  }
  const body = json[type];
  switch (type) {
    case 'match_all': return { kind: 'match_all', boost: boostOf(type, body, ['boost', '_name']) };
    case 'match_none': boostOf(type, body, ['boost', '_name']); return { kind: 'match_none' };
    case 'ids': return parseIds(body);
    case 'term': return parseTerm(body);
    case 'terms': return parseTerms(body);
    case 'range': return parseRange(body);
    case 'exists': return parseExists(body);
    case 'prefix': return parsePrefixLike('prefix', body);
    case 'wildcard': return parsePrefixLike('wildcard', body);
    case 'bool': return parseBool(body);
    case 'match': return parseMatch(body);
    case 'multi_match': return parseMultiMatch(body);
    case 'constant_score': return parseConstantScore(body);
    default:
      if (knownUnsupported.has(type)) {
        throw esError(400, 'illegal_argument_exception', `query [${type}] is not supported by the embedded engine`);
      }
      throw unknownQuery(type);
  }
}

function unknownQuery(type: string): EsError {
  return parsingError(`unknown query [${type}]`, {
    caused_by: { type: 'named_object_not_found_exception', reason: `[1:1] unknown field [${type}]` },
  });
}

function objBody(type: string, body: unknown): Obj {
  if (!isObj(body)) throw parsingError(`[${type}] query malformed, no start_object after query name`);
  return body;
}

function boostOf(type: string, body: unknown, allowed: readonly string[]): number {
  const o = objBody(type, body);
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw parsingError(`[${type}] query does not support [${k}]`);
  }
  return numberOr(type, 'boost', o.boost, 1);
}

function numberOr(type: string, field: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || Number.isNaN(n)) throw parsingError(`[${type}] failed to parse field [${field}]`);
  return n;
}

function boolOr(type: string, field: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw parsingError(`[${type}] failed to parse field [${field}]`);
}

/** The single `{ field: ... }` entry of term-level queries. */
function singleField(type: string, body: unknown): [string, unknown, Obj] {
  const o = objBody(type, body);
  const fields = Object.keys(o).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length === 0) throw parsingError(`[${type}] query malformed, no field specified`);
  if (fields.length > 1) {
    throw parsingError(`[${type}] query doesn't support multiple fields, found [${fields[0]}] and [${fields[1]}]`);
  }
  const field = fields[0] as string;
  return [field, o[field], o];
}

function parseIds(body: unknown): QueryNode {
  const o = objBody('ids', body);
  for (const k of Object.keys(o)) {
    if (k !== 'values' && k !== 'boost' && k !== '_name') throw parsingError(`[ids] unknown field [${k}]`);
  }
  const values = o.values ?? [];
  if (!Array.isArray(values)) throw parsingError('[ids] failed to parse field [values]');
  return { kind: 'ids', ids: values.map((v) => String(v)), boost: numberOr('ids', 'boost', o.boost, 1) };
}

function scalar(type: string, v: unknown): unknown {
  if (Array.isArray(v)) throw parsingError(`[${type}] query does not support array of values`);
  if (v === null) throw parsingError(`[${type}] query does not support null values`);
  if (isObj(v)) throw parsingError(`[${type}] query does not support [${Object.keys(v)[0] ?? ''}]`);
  return v;
}

function parseTerm(body: unknown): QueryNode {
  const [field, spec] = singleField('term', body);
  if (isObj(spec)) {
    let value: unknown;
    let boost = 1;
    let ci = false;
    let name = '';
    for (const [k, v] of Object.entries(spec)) {
      if (k === 'value') value = scalar('term', v);
      else if (k === 'boost') boost = numberOr('term', k, v, 1);
      else if (k === 'case_insensitive') ci = boolOr('term', k, v, false);
      else if (k === '_name') name = String(v);
      else throw parsingError(`[term] query does not support [${k}]`);
    }
    if (value === undefined) throw esError(400, 'illegal_argument_exception', 'value cannot be null');
    return { kind: 'term', field, values: [value], boost, caseInsensitive: ci, name };
  }
  return { kind: 'term', field, values: [scalar('term', spec)], boost: 1, caseInsensitive: false, name: '' };
}

function parseTerms(body: unknown): QueryNode {
  const o = objBody('terms', body);
  let field: string | undefined;
  let values: unknown[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k === 'boost' || k === '_name') continue;
    if (field !== undefined) {
      throw parsingError(`[terms] query does not support multiple fields: [${field}] and [${k}]`);
    }
    if (!Array.isArray(v)) {
      if (isObj(v)) throw esError(400, 'illegal_argument_exception', 'terms lookup is not supported by the embedded engine');
      throw parsingError(`[terms] query does not support [${k}]`);
    }
    field = k;
    values = v;
  }
  if (field === undefined) throw parsingError('[terms] query requires a field with values');
  return { kind: 'term', field, values, boost: numberOr('terms', 'boost', o.boost, 1), caseInsensitive: false, name: '' };
}

function parseRange(body: unknown): QueryNode {
  const [field, spec, o] = singleField('range', body);
  if (!isObj(spec)) throw parsingError(`[range] query malformed, after field missing start object`);
  const b: { -readonly [K in keyof RangeBounds]: RangeBounds[K] } = {};
  let boost = numberOr('range', 'boost', o.boost, 1);
  let includeLower = true;
  let includeUpper = true;
  let from: unknown;
  let to: unknown;
  for (const [k, v] of Object.entries(spec)) {
    switch (k) {
      case 'gt': case 'gte': case 'lt': case 'lte':
        if (v !== null) b[k] = scalar('range', v);
        break;
      case 'from': from = v; break;
      case 'to': to = v; break;
      case 'include_lower': includeLower = boolOr('range', k, v, true); break;
      case 'include_upper': includeUpper = boolOr('range', k, v, true); break;
      case 'format': b.format = String(v); break;
      case 'time_zone': b.timeZone = String(v); break;
      case 'boost': boost = numberOr('range', k, v, 1); break;
      case 'relation': case '_name': break;
      default: throw parsingError(`[range] query does not support [${k}]`);
    }
  }
  if (from !== undefined && from !== null) b[includeLower ? 'gte' : 'gt'] = from;
  if (to !== undefined && to !== null) b[includeUpper ? 'lte' : 'lt'] = to;
  return { kind: 'range', field, bounds: b, boost };
}

function parseExists(body: unknown): QueryNode {
  const o = objBody('exists', body);
  for (const k of Object.keys(o)) {
    if (k !== 'field' && k !== 'boost' && k !== '_name') throw parsingError(`[exists] unknown field [${k}]`);
  }
  if (typeof o.field !== 'string') throw parsingError('[exists] must be provided with a [field]');
  return { kind: 'exists', field: o.field, boost: numberOr('exists', 'boost', o.boost, 1) };
}

function parsePrefixLike(type: 'prefix' | 'wildcard', body: unknown): QueryNode {
  const [field, spec] = singleField(type, body);
  let value: unknown;
  let boost = 1;
  let ci = false;
  if (isObj(spec)) {
    for (const [k, v] of Object.entries(spec)) {
      if (k === 'value' || (type === 'wildcard' && k === 'wildcard')) value = scalar(type, v);
      else if (k === 'boost') boost = numberOr(type, k, v, 1);
      else if (k === 'case_insensitive') ci = boolOr(type, k, v, false);
      else if (k === 'rewrite' || k === '_name') continue;
      else throw parsingError(`[${type}] query does not support [${k}]`);
    }
  } else value = scalar(type, spec);
  if (value === undefined) throw parsingError(`No value specified for ${type} query`);
  return { kind: type, field, value: String(value), caseInsensitive: ci, boost };
}

function clauses(v: unknown): QueryNode[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((q) => parseQuery(q));
  return [parseQuery(v)];
}

function parseBool(body: unknown): QueryNode {
  const o = objBody('bool', body);
  let msm: string | number | undefined;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'minimum_should_match') {
      if (typeof v !== 'string' && typeof v !== 'number') throw parsingError('[bool] failed to parse field [minimum_should_match]');
      msm = v;
    } else if (!['must', 'filter', 'should', 'must_not', 'boost', '_name', 'adjust_pure_negative'].includes(k)) {
      throw parsingError(`[bool] query does not support [${k}]`);
    }
  }
  return {
    kind: 'bool',
    must: clauses(o.must),
    filter: clauses(o.filter),
    should: clauses(o.should),
    mustNot: clauses(o.must_not),
    minimumShouldMatch: msm,
    boost: numberOr('bool', 'boost', o.boost, 1),
  };
}

function parseMatch(body: unknown): QueryNode {
  const [field, spec] = singleField('match', body);
  if (!isObj(spec)) return { kind: 'match', fields: [field], query: scalar('match', spec), operator: 'or', minimumShouldMatch: undefined, boost: 1 };
  let query: unknown;
  let operator: 'or' | 'and' = 'or';
  let msm: string | number | undefined;
  let boost = 1;
  for (const [k, v] of Object.entries(spec)) {
    switch (k) {
      case 'query': query = scalar('match', v); break;
      case 'operator': operator = parseOperator('match', v); break;
      case 'minimum_should_match': msm = typeof v === 'number' ? v : String(v); break;
      case 'boost': boost = numberOr('match', k, v, 1); break;
      case 'analyzer': case 'lenient': case 'zero_terms_query': case 'auto_generate_synonyms_phrase_query': case '_name': break;
      default: throw parsingError(`[match] query does not support [${k}]`);
    }
  }
  if (query === undefined) throw esError(400, 'illegal_argument_exception', '[match] requires query value');
  return { kind: 'match', fields: [field], query, operator, minimumShouldMatch: msm, boost };
}

function parseOperator(type: string, v: unknown): 'or' | 'and' {
  const s = String(v).toLowerCase();
  if (s === 'or' || s === 'and') return s;
  throw esError(400, 'illegal_argument_exception', `No enum constant org.elasticsearch.index.query.Operator.${String(v).toUpperCase()}`, {});
}

function parseMultiMatch(body: unknown): QueryNode {
  const o = objBody('multi_match', body);
  let query: unknown;
  let fields: string[] = [];
  let operator: 'or' | 'and' = 'or';
  let msm: string | number | undefined;
  let boost = 1;
  for (const [k, v] of Object.entries(o)) {
    switch (k) {
      case 'query': query = scalar('multi_match', v); break;
      case 'fields': fields = (Array.isArray(v) ? v : [v]).map((f) => String(f)); break;
      case 'operator': operator = parseOperator('multi_match', v); break;
      case 'minimum_should_match': msm = typeof v === 'number' ? v : String(v); break;
      case 'boost': boost = numberOr('multi_match', k, v, 1); break;
      case 'type':
        if (v !== 'best_fields' && v !== 'most_fields') {
          throw esError(400, 'illegal_argument_exception', `multi_match type [${String(v)}] is not supported by the embedded engine`);
        }
        break;
      case 'lenient': case 'analyzer': case 'tie_breaker': case '_name': break;
      default: throw parsingError(`[multi_match] query does not support [${k}]`);
    }
  }
  if (query === undefined) throw parsingError('No text specified for multi_match query');
  return { kind: 'match', fields: fields.length ? fields : ['*'], query, operator, minimumShouldMatch: msm, boost };
}

function parseConstantScore(body: unknown): QueryNode {
  const o = objBody('constant_score', body);
  for (const k of Object.keys(o)) {
    if (k !== 'filter' && k !== 'boost' && k !== '_name') throw parsingError(`[constant_score] query does not support [${k}]`);
  }
  if (o.filter === undefined) throw parsingError('[constant_score] requires a \'filter\' element');
  return { kind: 'constant_score', filter: parseQuery(o.filter), boost: numberOr('constant_score', 'boost', o.boost, 1) };
}

/**
 * The `q` URL parameter, simple form only: `*`, `field:value`, or a bare value searched in every
 * field. Anything with query_string operators is rejected rather than misread.
 */
export function parseQ(q: string): QueryNode {
  const s = q.trim();
  if (s === '*' || s === '*:*' || s === '') return { kind: 'match_all', boost: 1 };
  if (/\s(AND|OR|NOT)\s|[()"+\-!{}[\]^~]/.test(s)) {
    throw esError(400, 'illegal_argument_exception', `[q] only supports "field:value" in the embedded engine, got [${q}]`);
  }
  const i = s.indexOf(':');
  if (i > 0) {
    const field = s.slice(0, i);
    const value = s.slice(i + 1);
    if (value === '*') return { kind: 'exists', field, boost: 1 };
    return { kind: 'match', fields: [field], query: value, operator: 'or', minimumShouldMatch: undefined, boost: 1 };
  }
  return { kind: 'match', fields: ['*'], query: s, operator: 'or', minimumShouldMatch: undefined, boost: 1 };
}
