/**
 * Aggregations over the matching documents: terms (with sub-aggregations), min, max, sum, avg,
 * value_count, cardinality, date_histogram, filter and filters, with Elasticsearch's response shapes.
 */
import type { FieldType, IndexedValue, ResolvedField } from '../contracts.js';
import { esError } from '../errors.js';
import { addUnits, defaultDateFormat, floorUnit, formatDate, parseTimeZone } from './date.js';
import type { DateUnit } from './date.js';
import { compile } from './query-compile.js';
import { parseQuery } from './query-parse.js';
import type { QueryNode } from './query-parse.js';
import { parsingError, shardError } from './search-errors.js';
import type { Entry, SearchIndex } from './search-index.js';

/** Matching entries of one index. */
export interface IndexMatches {
  readonly index: SearchIndex;
  readonly indexName: string;
  readonly entries: readonly Entry[];
}

interface AggSpec {
  readonly name: string;
  readonly type: string;
  readonly body: Record<string, unknown>;
  readonly subs: readonly AggSpec[];
  readonly meta: unknown;
}

const metricTypes = new Set(['min', 'max', 'sum', 'avg', 'value_count', 'cardinality']);
const bucketTypes = new Set(['terms', 'date_histogram', 'filter', 'filters']);

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseAggs(json: unknown): AggSpec[] {
  if (!isObj(json)) throw parsingError('Aggregation definition must be an object');
  return Object.entries(json).map(([name, def]) => {
    if (!isObj(def)) throw parsingError(`Expected [START_OBJECT] under [${name}], but got a [VALUE] in [${name}]`);
    let type: string | undefined;
    let body: Record<string, unknown> = {};
    let subs: AggSpec[] = [];
    let meta: unknown;
    for (const [k, v] of Object.entries(def)) {
      if (k === 'aggs' || k === 'aggregations') subs = parseAggs(v);
      else if (k === 'meta') meta = v;
      else {
        if (type !== undefined) {
          throw parsingError(`Found two aggregation type definitions in [${name}]: [${type}] and [${k}]`);
        }
        if (!metricTypes.has(k) && !bucketTypes.has(k)) {
          throw esError(400, 'named_object_not_found_exception', `[1:1] unknown field [${k}]`);
        }
        if (!isObj(v)) throw parsingError(`Expected [START_OBJECT] under [${k}], but got a [VALUE] in [${name}]`);
        type = k;
        body = v;
      }
    }
    if (type === undefined) throw parsingError(`Missing definition for aggregation [${name}]`);
    if (subs.length > 0 && metricTypes.has(type)) {
      throw esError(400, 'aggregation_initialization_exception', `Aggregator [${name}] of type [${type}] cannot accept sub-aggregations`);
    }
    validateBody(name, type, body);
    return { name, type, body, subs, meta };
  });
}

const allowedKeys: Record<string, readonly string[]> = {
  terms: ['field', 'size', 'shard_size', 'order', 'min_doc_count', 'shard_min_doc_count', 'missing', 'show_term_doc_count_error', 'execution_hint', 'collect_mode', 'include', 'exclude', 'format', 'value_type'],
  min: ['field', 'missing', 'format'],
  max: ['field', 'missing', 'format'],
  sum: ['field', 'missing', 'format'],
  avg: ['field', 'missing', 'format'],
  value_count: ['field'],
  cardinality: ['field', 'precision_threshold', 'missing'],
  date_histogram: ['field', 'calendar_interval', 'fixed_interval', 'min_doc_count', 'extended_bounds', 'hard_bounds', 'format', 'time_zone', 'offset', 'order', 'keyed', 'missing'],
};

function validateBody(name: string, type: string, body: Record<string, unknown>): void {
  const allowed = allowedKeys[type];
  if (allowed) {
    for (const k of Object.keys(body)) {
      if (k === 'script') throw esError(400, 'illegal_argument_exception', `scripts are not supported by the embedded engine (aggregation [${name}])`);
      if (!allowed.includes(k)) throw esError(400, 'x_content_parse_exception', `[1:1] [${type}] unknown field [${k}]`);
    }
    if (type !== 'date_histogram' && typeof body.field !== 'string') {
      throw esError(400, 'illegal_argument_exception', `Required one of fields [field, script], but none were specified.`);
    }
  }
  if (type === 'date_histogram') {
    if (typeof body.field !== 'string') throw esError(400, 'illegal_argument_exception', 'Required one of fields [field, script], but none were specified.');
    if (body.calendar_interval === undefined && body.fixed_interval === undefined) {
      throw esError(400, 'illegal_argument_exception', 'Invalid interval specified, must be non-null and non-empty');
    }
  }
  if (type === 'filter') parseQuery(body);
  if (type === 'filters') {
    if (!isObj(body.filters) && !Array.isArray(body.filters)) throw parsingError(`[filters] cannot be empty.`);
  }
}

interface Ctx {
  readonly parts: readonly IndexMatches[];
  readonly now: number;
}

/** Run aggregations over matches; returns the `aggregations` object of the response. */
export function runAggs(specs: readonly AggSpec[], parts: readonly IndexMatches[], now: number, typedKeys: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of specs) {
    const r = runOne(s, { parts, now }, typedKeys);
    out[typedKeys ? `${typedName(s, parts)}#${s.name}` : s.name] = s.meta === undefined ? r : { meta: s.meta, ...r };
  }
  return out;
}

function typedName(s: AggSpec, parts: readonly IndexMatches[]): string {
  if (s.type !== 'terms') return s.type;
  const f = fieldOf(parts, String(s.body.field));
  if (!f) return 'sterms';
  if (f.type === 'keyword' || f.type === 'text' || f.type === 'flattened' || f.type === 'object') return 'sterms';
  if (f.type === 'double' || f.type === 'float' || f.type === 'half_float' || f.type === 'scaled_float') return 'dterms';
  return 'lterms';
}

function fieldOf(parts: readonly IndexMatches[], path: string): ResolvedField | undefined {
  for (const p of parts) {
    const f = p.index.mapping.field(path);
    if (f) return f;
  }
  return undefined;
}

function checkAggregatable(f: ResolvedField | undefined, path: string): void {
  if (f?.type === 'text') {
    throw shardError('illegal_argument_exception', `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${path}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`);
  }
}

function values(e: Entry, path: string): readonly IndexedValue[] {
  return e.doc.fields.get(path) ?? [];
}

function count(parts: readonly IndexMatches[]): number {
  let n = 0;
  for (const p of parts) n += p.entries.length;
  return n;
}

function runOne(s: AggSpec, ctx: Ctx, typedKeys: boolean): Record<string, unknown> {
  if (metricTypes.has(s.type)) return runMetric(s, ctx.parts);
  switch (s.type) {
    case 'terms': return runTerms(s, ctx, typedKeys);
    case 'date_histogram': return runDateHistogram(s, ctx, typedKeys);
    case 'filter': {
      const parts = filterParts(ctx, parseQuery(s.body));
      return { doc_count: count(parts), ...runAggs(s.subs, parts, ctx.now, typedKeys) };
    }
    default: return runFilters(s, ctx, typedKeys);
  }
}

function filterParts(ctx: Ctx, q: QueryNode): IndexMatches[] {
  return ctx.parts.map((p) => {
    const c = compile(q, { index: p.index, indexName: p.indexName, now: ctx.now }, false);
    return { index: p.index, indexName: p.indexName, entries: p.entries.filter((e) => c.score(e) !== undefined) };
  });
}

function runFilters(s: AggSpec, ctx: Ctx, typedKeys: boolean): Record<string, unknown> {
  const filters = s.body.filters;
  if (Array.isArray(filters)) {
    return { buckets: filters.map((f) => { const parts = filterParts(ctx, parseQuery(f)); return { doc_count: count(parts), ...runAggs(s.subs, parts, ctx.now, typedKeys) }; }) };
  }
  const buckets: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(filters as Record<string, unknown>)) {
    const parts = filterParts(ctx, parseQuery(f));
    buckets[k] = { doc_count: count(parts), ...runAggs(s.subs, parts, ctx.now, typedKeys) };
  }
  return { buckets };
}

function numeric(v: IndexedValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function runMetric(s: AggSpec, parts: readonly IndexMatches[]): Record<string, unknown> {
  const path = String(s.body.field);
  const f = fieldOf(parts, path);
  if (s.type !== 'value_count' && s.type !== 'cardinality') checkAggregatable(f, path);
  if (s.type === 'value_count' || s.type === 'cardinality') {
    const distinct = new Set<IndexedValue>();
    let n = 0;
    for (const p of parts) for (const e of p.entries) {
      for (const v of values(e, path)) {
        n++;
        distinct.add(v);
      }
    }
    return { value: s.type === 'value_count' ? n : distinct.size };
  }
  if (f && f.type !== 'date' && f.type !== 'boolean' && (f.type === 'keyword' || f.type === 'flattened' || f.type === 'object')) {
    throw shardError('illegal_argument_exception', `Field [${path}] of type [${f.type}] is not supported for aggregation [${s.type}]`);
  }
  const missing = typeof s.body.missing === 'number' ? s.body.missing : undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const p of parts) for (const e of p.entries) {
    const vals = values(e, path);
    const nums = vals.length ? vals.map(numeric) : missing !== undefined ? [missing] : [];
    for (const x of nums) {
      if (x === undefined) continue;
      n++;
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  let value: number | null;
  switch (s.type) {
    case 'min': value = n ? min : null; break;
    case 'max': value = n ? max : null; break;
    case 'sum': value = sum; break;
    default: value = n ? sum / n : null;
  }
  const out: Record<string, unknown> = { value };
  if (value !== null && f?.type === 'date' && s.type !== 'sum') out.value_as_string = formatDate(value, typeof s.body.format === 'string' ? s.body.format : f.format ?? defaultDateFormat);
  return out;
}

interface Bucket {
  key: IndexedValue;
  entries: Map<SearchIndex, Entry[]>;
  count: number;
}

function bucketParts(parts: readonly IndexMatches[], b: Bucket): IndexMatches[] {
  return parts.map((p) => ({ index: p.index, indexName: p.indexName, entries: b.entries.get(p.index) ?? [] }));
}

function addTo(b: Bucket, p: IndexMatches, e: Entry): void {
  b.count++;
  let list = b.entries.get(p.index);
  if (!list) b.entries.set(p.index, (list = []));
  list.push(e);
}

function renderKey(key: IndexedValue, f: ResolvedField | undefined, format: string | undefined): Record<string, unknown> {
  if (f?.type === 'date' && typeof key === 'number') return { key, key_as_string: formatDate(key, format ?? f.format ?? defaultDateFormat) };
  if (typeof key === 'boolean') return { key: key ? 1 : 0, key_as_string: String(key) };
  return { key };
}

function runTerms(s: AggSpec, ctx: Ctx, typedKeys: boolean): Record<string, unknown> {
  const path = String(s.body.field);
  const f = fieldOf(ctx.parts, path);
  checkAggregatable(f, path);
  const size = intOpt(s, 'size', 10, 1);
  const minDocCount = intOpt(s, 'min_doc_count', 1, 0);
  const missing = s.body.missing;
  const buckets = new Map<IndexedValue, Bucket>();
  for (const p of ctx.parts) for (const e of p.entries) {
    let vals = values(e, path);
    if (vals.length === 0 && missing !== undefined && missing !== null) vals = [missingKey(missing, f)];
    for (const v of new Set(vals)) {
      let b = buckets.get(v);
      if (!b) buckets.set(v, (b = { key: v, entries: new Map(), count: 0 }));
      addTo(b, p, e);
    }
  }
  let list = [...buckets.values()].filter((b) => b.count >= minDocCount);
  const order = parseOrder(s.body.order);
  list.sort((a, b) => {
    for (const [k, dir] of order) {
      let c: number;
      if (k === '_count') c = a.count - b.count;
      else if (k === '_key') c = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      else c = subMetric(s, ctx, a, k) - subMetric(s, ctx, b, k);
      if (c !== 0) return dir === 'desc' ? -c : c;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  const total = list.reduce((a, b) => a + b.count, 0);
  list = list.slice(0, size);
  const shown = list.reduce((a, b) => a + b.count, 0);
  return {
    doc_count_error_upper_bound: 0,
    sum_other_doc_count: total - shown,
    buckets: list.map((b) => {
      const parts = bucketParts(ctx.parts, b);
      return { ...renderKey(b.key, f, typeof s.body.format === 'string' ? s.body.format : undefined), doc_count: b.count, ...runAggs(s.subs, parts, ctx.now, typedKeys) };
    }),
  };
}

function missingKey(missing: unknown, f: ResolvedField | undefined): IndexedValue {
  if (f && f.type !== 'keyword' && f.type !== 'date' && f.type !== 'boolean' && typeof missing !== 'number') {
    const n = Number(missing);
    if (!Number.isNaN(n)) return n;
  }
  if (typeof missing === 'number' || typeof missing === 'boolean' || typeof missing === 'string') return missing;
  return String(missing);
}

function subMetric(s: AggSpec, ctx: Ctx, b: Bucket, path: string): number {
  const [name, prop] = path.split('.');
  const spec = s.subs.find((x) => x.name === name);
  if (!spec || !metricTypes.has(spec.type)) {
    throw esError(400, 'aggregation_execution_exception', `Invalid aggregation order path [${path}]. The provided aggregation [${name ?? ''}] either does not exist, or is a pipeline aggregation and cannot be used to sort the buckets.`);
  }
  const r = runMetric(spec, bucketParts(ctx.parts, b));
  const v = prop === undefined ? r.value : r[prop];
  return typeof v === 'number' ? v : -Infinity;
}

function parseOrder(order: unknown): [string, 'asc' | 'desc'][] {
  if (order === undefined) return [['_count', 'desc'], ['_key', 'asc']];
  const items = Array.isArray(order) ? order : [order];
  const out: [string, 'asc' | 'desc'][] = [];
  for (const it of items) {
    if (!isObj(it)) throw parsingError('[order] must be an object');
    for (const [k, v] of Object.entries(it)) {
      if (v !== 'asc' && v !== 'desc') throw parsingError(`Unknown terms order direction [${String(v)}]`);
      out.push([k === '_term' ? '_key' : k, v]);
    }
  }
  return out;
}

function intOpt(s: AggSpec, key: string, dflt: number, min: number): number {
  const v = s.body[key];
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw parsingError(`[${s.type}] failed to parse field [${key}]`);
  if (n < min) throw esError(400, 'illegal_argument_exception', `[${key}] must be greater than ${min - 1}. Found [${n}] in [${s.name}]`);
  return n;
}

const calendarUnits: Record<string, DateUnit> = {
  minute: 'm', '1m': 'm', hour: 'h', '1h': 'h', day: 'd', '1d': 'd', week: 'w', '1w': 'w',
  month: 'M', '1M': 'M', quarter: 'q', '1q': 'q', year: 'y', '1y': 'y', second: 's', '1s': 's',
};

function parseFixed(v: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(v);
  if (!m) return undefined;
  const mult: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * (mult[m[2] ?? 'ms'] ?? 1);
}

function runDateHistogram(s: AggSpec, ctx: Ctx, typedKeys: boolean): Record<string, unknown> {
  const path = String(s.body.field);
  const f = fieldOf(ctx.parts, path);
  if (f && f.type !== 'date' && f.type !== 'long' && f.type !== 'integer') {
    throw shardError('illegal_argument_exception', `Field [${path}] of type [${f.type}] is not supported for aggregation [date_histogram]`);
  }
  const tz = typeof s.body.time_zone === 'string' ? parseTimeZone(s.body.time_zone) : 0;
  if (tz === undefined) throw esError(400, 'illegal_argument_exception', `Unknown time-zone ID: ${String(s.body.time_zone)}`);
  let floor: (t: number) => number;
  let next: (t: number) => number;
  if (s.body.calendar_interval !== undefined) {
    const unit = calendarUnits[String(s.body.calendar_interval)];
    if (!unit) throw esError(400, 'illegal_argument_exception', `The supplied interval [${String(s.body.calendar_interval)}] could not be parsed as a calendar interval.`);
    floor = (t) => floorUnit(t, unit, tz);
    next = (t) => addUnits(t, 1, unit, tz);
  } else {
    const ms = parseFixed(String(s.body.fixed_interval));
    if (!ms) throw esError(400, 'illegal_argument_exception', `failed to parse setting [date_histogram.fixedInterval] with value [${String(s.body.fixed_interval)}] as a time value: unit is missing or unrecognized`);
    floor = (t) => Math.floor((t + tz) / ms) * ms - tz;
    next = (t) => t + ms;
  }
  const minDocCount = intOpt(s, 'min_doc_count', 0, 0);
  const buckets = new Map<number, Bucket>();
  for (const p of ctx.parts) for (const e of p.entries) {
    const seen = new Set<number>();
    for (const v of values(e, path)) {
      if (typeof v !== 'number') continue;
      const k = floor(v);
      if (seen.has(k)) continue;
      seen.add(k);
      let b = buckets.get(k);
      if (!b) buckets.set(k, (b = { key: k, entries: new Map(), count: 0 }));
      addTo(b, p, e);
    }
  }
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  let lo = keys[0];
  let hi = keys[keys.length - 1];
  const eb = s.body.extended_bounds;
  if (isObj(eb) && minDocCount === 0) {
    const conv = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : undefined);
    const ebMin = conv(eb.min);
    const ebMax = conv(eb.max);
    if (ebMin !== undefined && !Number.isNaN(ebMin)) lo = lo === undefined ? floor(ebMin) : Math.min(lo, floor(ebMin));
    if (ebMax !== undefined && !Number.isNaN(ebMax)) hi = hi === undefined ? floor(ebMax) : Math.max(hi, floor(ebMax));
  }
  const out: Bucket[] = [];
  if (lo !== undefined && hi !== undefined) {
    if (minDocCount === 0) {
      for (let t = lo; t <= hi && out.length < 65_536; t = next(t)) out.push(buckets.get(t) ?? { key: t, entries: new Map(), count: 0 });
    } else for (const k of keys) {
      const b = buckets.get(k);
      if (b && b.count >= minDocCount) out.push(b);
    }
  }
  const fmt = typeof s.body.format === 'string' ? s.body.format : f?.format ?? defaultDateFormat;
  const dateField: ResolvedField = { path, type: 'date' as FieldType, format: fmt, searchable: true, docValues: true };
  return {
    buckets: out.map((b) => ({
      key_as_string: formatDate(Number(b.key), fmt, tz),
      ...{ key: renderKey(b.key, dateField, fmt).key },
      doc_count: b.count,
      ...runAggs(s.subs, bucketParts(ctx.parts, b), ctx.now, typedKeys),
    })),
  };
}
