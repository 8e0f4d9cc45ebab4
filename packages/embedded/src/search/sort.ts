/**
 * Sort specs (`sort` in the body or URL): parsing, binding to an index's mapping (with
 * Elasticsearch's errors for text and unmapped fields), per-document sort values, comparison and
 * the values returned in `hits.hits[].sort` and accepted back in `search_after`.
 */
import type { FieldType, ResolvedField } from '../contracts.js';
import { defaultDateFormat, formatDate, parseDate } from './date.js';
import { isNumeric } from './query-compile.js';
import { parsingError, shardError } from './search-errors.js';
import type { Decorated, Entry, SearchIndex, SortVal } from './search-index.js';

export interface SortKey {
  readonly kind: 'field' | 'score' | 'doc';
  readonly field: string;
  readonly desc: boolean;
  readonly missing: unknown;
  readonly unmappedType: string | undefined;
  readonly mode: 'min' | 'max' | 'sum' | 'avg' | 'median' | undefined;
  readonly format: string | undefined;
}

/** Long.MAX_VALUE / MIN_VALUE as JSON numbers carry them to JavaScript clients. */
const longMax = 2 ** 63;
const longMin = -(2 ** 63);

export function parseSort(json: unknown): SortKey[] {
  const items = Array.isArray(json) ? json : [json];
  return items.map(parseSortItem);
}

/** URL form: `field`, `field:desc`, comma separated. */
export function parseSortParam(s: string): SortKey[] {
  return s.split(',').filter(Boolean).map((part) => {
    const i = part.lastIndexOf(':');
    if (i < 0) return parseSortItem(part);
    return parseSortItem({ [part.slice(0, i)]: part.slice(i + 1) });
  });
}

function key(field: string, over: Partial<SortKey> = {}): SortKey {
  const kind = field === '_score' ? 'score' : field === '_doc' ? 'doc' : 'field';
  return { kind, field, desc: kind === 'score', missing: '_last', unmappedType: undefined, mode: undefined, format: undefined, ...over };
}

function parseOrder(v: unknown): boolean {
  if (v === 'desc' || v === 'DESC') return true;
  if (v === 'asc' || v === 'ASC') return false;
  throw parsingError(`[sort] failed to parse field [order]`);
}

function parseSortItem(item: unknown): SortKey {
  if (typeof item === 'string') return key(item);
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw parsingError(`[sort] unexpected token in sort: ${JSON.stringify(item)}`);
  }
  const entries = Object.entries(item);
  if (entries.length !== 1) throw parsingError('[sort] expected a single field name per sort object');
  const [field, spec] = entries[0] as [string, unknown];
  if (typeof spec === 'string') return key(field, { desc: parseOrder(spec) });
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw parsingError(`[sort] unexpected value for [${field}]`);
  const over: { -readonly [K in keyof SortKey]?: SortKey[K] } = {};
  for (const [k, v] of Object.entries(spec)) {
    switch (k) {
      case 'order': over.desc = parseOrder(v); break;
      case 'missing': over.missing = v; break;
      case 'unmapped_type': over.unmappedType = String(v); break;
      case 'mode':
        if (v !== 'min' && v !== 'max' && v !== 'sum' && v !== 'avg' && v !== 'median') {
          throw parsingError(`[sort] failed to parse field [mode]`);
        }
        over.mode = v;
        break;
      case 'format': over.format = String(v); break;
      case 'numeric_type': break;
      default: throw parsingError(`[field_sort] unknown field [${k}]`);
    }
  }
  return key(field, over);
}

/** A sort key resolved against one index. */
export interface BoundKey {
  readonly key: SortKey;
  readonly field: ResolvedField | undefined;
  readonly type: FieldType | undefined;
  /** Value substituted for missing values (already converted), or the `_first`/`_last` rule. */
  readonly missingValue: SortVal;
  readonly missingFirst: boolean;
}

export function bindSort(keys: readonly SortKey[], index: SearchIndex): BoundKey[] {
  return keys.map((k) => {
    if (k.kind !== 'field') return { key: k, field: undefined, type: undefined, missingValue: null, missingFirst: false };
    const f = index.mapping.field(k.field);
    let type = f?.type;
    if (!f) {
      if (k.unmappedType === undefined) {
        throw shardError('query_shard_exception', `No mapping found for [${k.field}] in order to sort on`);
      }
      type = k.unmappedType as FieldType;
    } else if (f.type === 'text') {
      throw shardError(
        'illegal_argument_exception',
        `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${k.field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
      );
    } else if (!f.docValues) {
      throw shardError('illegal_argument_exception', `Can't load fielddata on [${k.field}] because fielddata is unsupported on fields of type [${f.type}]. Use doc values instead.`);
    }
    let missingValue: SortVal = null;
    let missingFirst = false;
    if (k.missing === '_first') missingFirst = true;
    else if (k.missing !== '_last' && k.missing !== undefined && k.missing !== null) {
      missingValue = convertSortValue(k.missing, type, f);
    }
    if (missingValue === null && type !== undefined) missingValue = extremeFor(type, missingFirst !== k.desc);
    return { key: k, field: f, type, missingValue, missingFirst };
  });
}

/**
 * Elasticsearch sorts missing numeric values as the type's extreme value (and returns it in
 * `sort`): Integer.MAX/MIN for int/short/byte, Long.MAX/MIN for long, date and boolean, ±Infinity
 * for floating point. Keywords keep null.
 */
function extremeFor(type: FieldType, low: boolean): SortVal {
  if (type === 'integer' || type === 'short' || type === 'byte') return low ? -2147483648 : 2147483647;
  if (type === 'long' || type === 'date' || type === 'boolean' || type === 'unsigned_long') return low ? longMin : longMax;
  if (isNumeric(type)) return low ? -Infinity : Infinity;
  return null;
}

function convertSortValue(v: unknown, type: FieldType | undefined, f: ResolvedField | undefined): SortVal {
  if (v === null) return null;
  if (type === 'date') {
    if (typeof v === 'number') return v;
    const t = parseDate(v, f?.format ?? defaultDateFormat);
    if (t === undefined) throw shardError('parse_exception', `failed to parse date field [${String(v)}] with format [${f?.format ?? defaultDateFormat}]`);
    return t;
  }
  if (type === 'boolean') return v === true || v === 'true' || v === 1 ? 1 : 0;
  if (type !== undefined && isNumeric(type)) {
    const n = typeof v === 'number' ? v : Number(v);
    if (Number.isNaN(n)) throw shardError('number_format_exception', `For input string: "${String(v)}"`);
    return n;
  }
  return typeof v === 'string' ? v : String(v);
}

/** Extract sort values of an entry (score for `_score`). */
export function extractor(bound: readonly BoundKey[]): (e: Entry, score?: number) => SortVal[] {
  return (e, score = 0) => {
    const out: SortVal[] = [];
    for (const b of bound) {
      if (b.key.kind === 'score') out.push(score);
      else if (b.key.kind === 'doc') out.push(e.ord);
      else out.push(fieldValue(e, b));
    }
    return out;
  };
}

function fieldValue(e: Entry, b: BoundKey): SortVal {
  const vals = e.doc.fields.get(b.key.field);
  if (!vals || vals.length === 0) return b.missingValue;
  const first = vals[0];
  if (vals.length === 1 && first !== undefined) return typeof first === 'boolean' ? (first ? 1 : 0) : first;
  const mode = b.key.mode ?? (b.key.desc ? 'max' : 'min');
  const nums = vals.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  if (typeof nums[0] === 'string') {
    const strs = nums.map(String).sort();
    return (mode === 'max' ? strs[strs.length - 1] : strs[0]) ?? null;
  }
  const ns = nums.map(Number);
  switch (mode) {
    case 'max': return Math.max(...ns);
    case 'sum': return ns.reduce((a, c) => a + c, 0);
    case 'avg': return ns.reduce((a, c) => a + c, 0) / ns.length;
    case 'median': {
      const s = [...ns].sort((a, c) => a - c);
      const m = s.length >> 1;
      return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
    }
    default: return Math.min(...ns);
  }
}

/** Compare sort value lists; missing values follow `_first`/`_last` regardless of order. */
export function comparator(bound: readonly BoundKey[]): (a: readonly SortVal[], b: readonly SortVal[]) => number {
  const n = bound.length;
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const x = a[i] ?? null;
      const y = b[i] ?? null;
      if (x === y) continue;
      const bk = bound[i] as BoundKey;
      if (x === null) return bk.missingFirst ? -1 : 1;
      if (y === null) return bk.missingFirst ? 1 : -1;
      const c = x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return bk.key.desc ? -c : c;
    }
    return 0;
  };
}

/** Full order on decorated entries: sort keys, then index order. */
export function decoratedComparator(bound: readonly BoundKey[]): (a: Decorated, b: Decorated) => number {
  const cmp = comparator(bound);
  return (a, b) => cmp(a.k, b.k) || a.e.ord - b.e.ord;
}

/** Cache key of a sort spec over field/_doc keys only (score sorts are never cached). */
export function sortCacheKey(bound: readonly BoundKey[]): string | undefined {
  if (bound.some((b) => b.key.kind === 'score')) return undefined;
  return JSON.stringify(bound.map((b) => [b.key.field, b.key.desc, b.missingFirst, b.missingValue, b.key.mode, b.type]));
}

/** The `sort` array of a hit, as Elasticsearch renders it. */
export function renderSortValues(vals: readonly SortVal[], bound: readonly BoundKey[]): unknown[] {
  return vals.map((v, i) => {
    const b = bound[i] as BoundKey;
    if (b.key.kind !== 'field') return v;
    const type = b.type;
    if (v === null) return null;
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    if (type === 'date' && b.key.format !== undefined && (v === longMax || v === longMin)) return null;
    if (type === 'date' && b.key.format !== undefined && typeof v === 'number') return formatDate(v, b.key.format);
    return v;
  });
}

/** `search_after` values converted to comparable sort values for one index. */
export function parseSearchAfter(after: readonly unknown[], bound: readonly BoundKey[]): SortVal[] {
  if (after.length !== bound.length) {
    throw shardError('illegal_argument_exception', `search_after has ${after.length} value(s) but sort has ${bound.length}.`);
  }
  return after.map((v, i) => {
    const b = bound[i] as BoundKey;
    if (v === null) return null;
    if (b.key.kind !== 'field') return typeof v === 'number' ? v : Number(v);
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    return convertSortValue(v, b.type, b.field);
  });
}
