/**
 * Compiles a parsed query against one index: a scorer per document (undefined = no match) plus
 * the candidate ids an inverted index can give, so evaluation only touches likely matches.
 */
import type { FieldType, IndexedValue, ResolvedField } from '../contracts.js';
import { analyze } from '../analysis.js';
import { dateMath, defaultDateFormat, parseTimeZone } from './date.js';
import type { QueryNode, RangeBounds } from './query-parse.js';
import { shardError } from './search-errors.js';
import { someValue } from '../store/doc-fields.js';

const anyValue = (): boolean => true;
import type { Entry, SearchIndex } from './search-index.js';

export interface Compiled {
  /** Score of a matching entry, undefined when it does not match. */
  readonly score: (e: Entry) => number | undefined;
  /** Ids that can match (a superset), undefined when the query cannot narrow them. */
  readonly candidates: () => ReadonlySet<string> | undefined;
  /** Cheap upper bound of candidates().size, without building it; undefined: no narrowing. */
  readonly estimate: () => number | undefined;
  /** A required exact-term clause whose per-value sorted lists can drive a sorted walk. */
  readonly partition?: () => Partition | undefined;
  /** A numeric range with both bounds (a claimer's slice of partitions), to narrow those lists. */
  readonly span?: () => Span | undefined;
}

export interface Partition {
  readonly field: string;
  readonly values: readonly IndexedValue[];
  readonly size: number;
  /** Another required clause: a list holds only the documents inside it as well. */
  readonly span?: Span;
}

export interface Span {
  readonly field: string;
  /** The bounds, as text: lists are cached per span. */
  readonly key: string;
  /** The range's own test of one value. */
  readonly test: (v: IndexedValue) => boolean;
}

export interface CompileContext {
  readonly index: SearchIndex;
  readonly indexName: string;
  readonly now: number;
}

const none: Compiled = { score: () => undefined, candidates: () => new Set(), estimate: () => 0 };
const noEstimate = (): undefined => undefined;
const k1 = 1.2;
const b = 0.75;

const numericTypes = new Set<FieldType>(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);

export function isNumeric(t: FieldType): boolean {
  return numericTypes.has(t);
}

export function compile(q: QueryNode, ctx: CompileContext, scoring = true): Compiled {
  switch (q.kind) {
    case 'match_all': return { score: () => (scoring ? q.boost : 0), candidates: () => undefined, estimate: noEstimate };
    case 'match_none': return none;
    case 'ids': {
      const ids = new Set(q.ids);
      return { score: (e) => (ids.has(e.doc.id) ? (scoring ? q.boost : 0) : undefined), candidates: () => ids, estimate: () => ids.size };
    }
    case 'term': return compileTerm(q.field, q.values, q.caseInsensitive, q.boost, ctx, scoring);
    case 'range': return compileRange(q.field, q.bounds, q.boost, ctx, scoring);
    case 'exists': return compileExists(q.field, q.boost, ctx, scoring);
    case 'prefix': case 'wildcard': return compilePattern(q.kind, q.field, q.value, q.caseInsensitive, q.boost, ctx, scoring);
    case 'match': return compileMatch(q, ctx, scoring);
    case 'constant_score': {
      const inner = compile(q.filter, ctx, false);
      return {
        score: (e) => (inner.score(e) === undefined ? undefined : scoring ? q.boost : 0),
        candidates: inner.candidates,
        estimate: inner.estimate,
        partition: () => inner.partition?.(),
        span: () => inner.span?.(),
      };
    }
    case 'bool': return compileBool(q, ctx, scoring);
  }
}

/** A query value converted to what the field indexes; undefined when it can never match. */
function toIndexed(f: ResolvedField, v: unknown, ctx: CompileContext): IndexedValue | undefined {
  switch (f.type) {
    case 'keyword': case 'text': case 'flattened': case 'object':
      return typeof v === 'string' ? v : String(v);
    case 'boolean':
      if (v === true || v === 'true') return true;
      if (v === false || v === 'false' || v === '') return false;
      throw shardError('query_shard_exception', `failed to create query: Can't parse boolean value [${String(v)}], expected [true] or [false]`);
    case 'date': {
      const fmt = f.format ?? defaultDateFormat;
      const t = dateMath(v, ctx.now, false, fmt);
      if (t === undefined) throw dateParseError(v, fmt);
      return t;
    }
    default: {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (Number.isNaN(n)) {
        throw shardError('query_shard_exception', `failed to create query: For input string: "${String(v)}"`, {
          caused_by: { type: 'number_format_exception', reason: `For input string: "${String(v)}"` },
        });
      }
      return n;
    }
  }
}

function dateParseError(v: unknown, fmt: string): ReturnType<typeof shardError> {
  return shardError('parse_exception', `failed to parse date field [${String(v)}] with format [${fmt}]: [failed to parse date field [${String(v)}] with format [${fmt}]]`);
}

/** Leaf field paths matched by a name or `*` pattern. */
function expandFields(ctx: CompileContext, pattern: string): string[] {
  if (!pattern.includes('*')) return [pattern];
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return [...ctx.index.mapping.fieldPaths()].filter((p) => re.test(p));
}

function idf(ctx: CompileContext, field: string, df: number): number {
  const n = Math.max(ctx.index.fieldStats(field).docs, df);
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** BM25 term weight for one document, as Lucene computes it (norms approximated by term counts). */
function bm25(ctx: CompileContext, field: string, tf: number, dl: number, df: number): number {
  const s = ctx.index.fieldStats(field);
  const avgdl = s.docs > 0 ? s.terms / s.docs : 1;
  return idf(ctx, field, df) * (tf / (tf + k1 * (1 - b + (b * dl) / avgdl)));
}

function compileTerm(field: string, raw: readonly unknown[], ci: boolean, boost: number, ctx: CompileContext, scoring: boolean): Compiled {
  if (field === '_id') {
    const ids = new Set(raw.map((v) => String(v)));
    return { score: (e) => (ids.has(e.doc.id) ? (scoring ? boost : 0) : undefined), candidates: () => ids, estimate: () => ids.size };
  }
  if (field === '_index') {
    const hit = raw.some((v) => String(v) === ctx.indexName);
    return hit ? { score: () => (scoring ? boost : 0), candidates: () => undefined, estimate: noEstimate } : none;
  }
  const f = ctx.index.mapping.field(field);
  if (!f) return none;
  if (!f.searchable) {
    throw shardError('query_shard_exception', `failed to create query: Cannot search on field [${field}] since it is not indexed.`);
  }
  const values = raw.map((v) => toIndexed(f, v, ctx)).filter((v): v is IndexedValue => v !== undefined);
  if (values.length === 0) return none;
  const caseFold = ci && (f.type === 'keyword' || f.type === 'text');
  const wanted = new Set<IndexedValue>(caseFold ? values.map((v) => String(v).toLowerCase()) : values);
  const postings = ctx.index.postingsOf(field);
  const matches = caseFold ? (v: IndexedValue): boolean => wanted.has(String(v).toLowerCase()) : (v: IndexedValue): boolean => wanted.has(v);
  const scoreFor = (e: Entry): number => {
    if (!scoring) return 0;
    const vals = e.doc.fields.get(field) ?? [];
    let s = 0;
    for (const v of wanted) {
      const df = postings.get(v)?.size ?? 1;
      s += bm25(ctx, field, 1, vals.length || 1, df);
    }
    return wanted.size > 1 ? boost : s * boost;
  };
  return {
    score: (e) => (someValue(e.doc.fields, field, matches) === true ? scoreFor(e) : undefined),
    candidates: () => {
      if (caseFold) return unionWhere(postings, (v) => wanted.has(String(v).toLowerCase()));
      if (wanted.size === 1) {
        const [only] = wanted;
        return (only !== undefined && postings.get(only)) || new Set();
      }
      const out = new Set<string>();
      for (const v of wanted) for (const id of postings.get(v) ?? []) out.add(id);
      return out;
    },
    estimate: () => {
      if (caseFold) return undefined;
      let n = 0;
      for (const v of wanted) n += postings.get(v)?.size ?? 0;
      return n;
    },
    partition: () => {
      if (caseFold) return undefined;
      let n = 0;
      for (const v of wanted) n += postings.get(v)?.size ?? 0;
      return { field, values: [...wanted], size: n };
    },
  };
}

function unionWhere(postings: ReadonlyMap<IndexedValue, ReadonlySet<string>>, pred: (v: IndexedValue) => boolean): Set<string> {
  const out = new Set<string>();
  for (const [v, ids] of postings) if (pred(v)) for (const id of ids) out.add(id);
  return out;
}

function compileRange(field: string, bounds: RangeBounds, boost: number, ctx: CompileContext, scoring: boolean): Compiled {
  const f = ctx.index.mapping.field(field);
  if (!f) return none;
  let lo: IndexedValue | undefined;
  let hi: IndexedValue | undefined;
  let loInc = true;
  let hiInc = true;
  const conv = (v: unknown, roundUp: boolean): IndexedValue => {
    if (f.type === 'date') {
      const offset = bounds.timeZone === undefined ? 0 : parseTimeZone(bounds.timeZone);
      if (offset === undefined) {
        throw shardError('illegal_argument_exception', `The time zone [${bounds.timeZone ?? ''}] is not supported by the embedded engine`);
      }
      const fmt = bounds.format ?? f.format ?? defaultDateFormat;
      const t = dateMath(v, ctx.now, roundUp, fmt, offset);
      if (t === undefined) throw dateParseError(v, fmt);
      return t;
    }
    const r = toIndexed(f, v, ctx);
    if (r === undefined) throw shardError('query_shard_exception', `failed to create query: bad range value [${String(v)}]`);
    return r;
  };
  if (bounds.gte !== undefined) lo = conv(bounds.gte, false);
  if (bounds.gt !== undefined) {
    lo = conv(bounds.gt, true);
    loInc = false;
  }
  if (bounds.lte !== undefined) hi = conv(bounds.lte, true);
  if (bounds.lt !== undefined) {
    hi = conv(bounds.lt, false);
    hiInc = false;
  }
  const s = scoring ? boost : 0;
  const inRange = (v: IndexedValue): boolean => {
    if (lo !== undefined && (loInc ? v < lo : v <= lo)) return false;
    if (hi !== undefined && (hiInc ? v > hi : v >= hi)) return false;
    return true;
  };
  // Dates are left out: their bounds are usually relative to `now` and differ in every search.
  const bounded: Span | undefined =
    isNumeric(f.type) && typeof lo === 'number' && typeof hi === 'number' ? { field, key: `${loInc ? '[' : '('}${lo},${hi}${hiInc ? ']' : ')'}`, test: inRange } : undefined;
  return {
    score: (e) => (someValue(e.doc.fields, field, inRange) === true ? s : undefined),
    candidates: () => undefined,
    estimate: noEstimate,
    span: () => bounded,
  };
}

function compileExists(pattern: string, boost: number, ctx: CompileContext, scoring: boolean): Compiled {
  const all = [...ctx.index.mapping.fieldPaths()];
  const fields = pattern.includes('*')
    ? expandFields(ctx, pattern)
    : all.filter((p) => p === pattern || p.startsWith(`${pattern}.`));
  if (fields.length === 0) return none;
  const s = scoring ? boost : 0;
  return {
    score: (e) => {
      for (const f of fields) if (someValue(e.doc.fields, f, anyValue) === true) return s;
      return undefined;
    },
    candidates: () => undefined,
    estimate: noEstimate,
  };
}

function compilePattern(kind: 'prefix' | 'wildcard', field: string, value: string, ci: boolean, boost: number, ctx: CompileContext, scoring: boolean): Compiled {
  if (field === '_id') {
    const test = patternTest(kind, value, ci);
    return { score: (e) => (test(e.doc.id) ? (scoring ? boost : 0) : undefined), candidates: () => undefined, estimate: noEstimate };
  }
  const f = ctx.index.mapping.field(field);
  if (!f) return none;
  if (f.type !== 'keyword' && f.type !== 'text' && f.type !== 'flattened') {
    throw shardError('query_shard_exception', `Can only use ${kind} queries on keyword and text fields - not on [${field}] which is of type [${f.type}]`);
  }
  const test = patternTest(kind, value, ci);
  const postings = ctx.index.postingsOf(field);
  const s = scoring ? boost : 0;
  return {
    score: (e) => (someValue(e.doc.fields, field, (v) => typeof v === 'string' && test(v)) === true ? s : undefined),
    candidates: () => unionWhere(postings, (v) => typeof v === 'string' && test(v)),
    estimate: () => (postings.size > 0 ? undefined : 0),
  };
}

function patternTest(kind: 'prefix' | 'wildcard', value: string, ci: boolean): (v: string) => boolean {
  if (kind === 'prefix') {
    const p = ci ? value.toLowerCase() : value;
    return ci ? (v) => v.toLowerCase().startsWith(p) : (v) => v.startsWith(p);
  }
  let re = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\' && i + 1 < value.length) re += (value[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`, ci ? 'is' : 's');
  return (v) => rx.test(v);
}

/** `minimum_should_match` (number, negative number, percentage) resolved against `n` optional clauses. */
export function resolveMsm(spec: string | number | undefined, n: number, dflt: number): number {
  if (spec === undefined) return dflt;
  const s = String(spec).trim();
  let r: number;
  if (s.endsWith('%')) {
    const pct = Number(s.slice(0, -1));
    r = pct < 0 ? n + Math.trunc((n * pct) / 100) : Math.trunc((n * pct) / 100);
  } else {
    const k = Number(s);
    if (!Number.isInteger(k)) throw shardError('illegal_argument_exception', `Invalid minimum_should_match value [${s}]`);
    r = k < 0 ? n + k : k;
  }
  return Math.max(0, Math.min(n, r));
}

function compileMatch(q: Extract<QueryNode, { kind: 'match' }>, ctx: CompileContext, scoring: boolean): Compiled {
  const fields = q.fields.flatMap((p) => expandFields(ctx, p.replace(/\^[\d.]+$/, '')));
  const perField: Compiled[] = [];
  for (const field of fields) {
    const f = ctx.index.mapping.field(field);
    if (!f || !f.searchable) continue;
    if (f.type === 'text') perField.push(compileText(field, q, ctx, scoring));
    else {
      if (q.fields.length > 1 || q.fields[0]?.includes('*')) {
        // multi-field matching is lenient on fields whose type cannot hold the value
        try {
          perField.push(compileTerm(field, [q.query], false, q.boost, ctx, scoring));
        } catch {
          continue;
        }
      } else perField.push(compileTerm(field, [q.query], false, q.boost, ctx, scoring));
    }
  }
  if (perField.length === 0) return none;
  if (perField.length === 1 && perField[0]) return perField[0];
  return {
    score: (e) => {
      let best: number | undefined;
      for (const c of perField) {
        const s = c.score(e);
        if (s !== undefined && (best === undefined || s > best)) best = s;
      }
      return best;
    },
    candidates: () => unionAll(perField),
    estimate: () => sumEstimates(perField),
  };
}

function sumEstimates(parts: readonly Compiled[]): number | undefined {
  let n = 0;
  for (const p of parts) {
    const e = p.estimate();
    if (e === undefined) return undefined;
    n += e;
  }
  return n;
}

function unionAll(parts: readonly Compiled[]): ReadonlySet<string> | undefined {
  const out = new Set<string>();
  for (const p of parts) {
    const c = p.candidates();
    if (c === undefined) return undefined;
    for (const id of c) out.add(id);
  }
  return out;
}

function compileText(field: string, q: Extract<QueryNode, { kind: 'match' }>, ctx: CompileContext, scoring: boolean): Compiled {
  const terms = [...new Set(analyze(String(q.query)))];
  if (terms.length === 0) return none;
  const required = q.operator === 'and' ? terms.length : resolveMsm(q.minimumShouldMatch, terms.length, 1);
  const need = Math.max(1, required);
  const postings = ctx.index.postingsOf(field);
  return {
    score: (e) => {
      const vals = e.doc.fields.get(field);
      if (!vals) return undefined;
      let matched = 0;
      let s = 0;
      for (const t of terms) {
        let tf = 0;
        for (const v of vals) if (v === t) tf++;
        if (tf === 0) continue;
        matched++;
        if (scoring) s += bm25(ctx, field, tf, vals.length, postings.get(t)?.size ?? 1);
      }
      return matched >= need ? s * q.boost : undefined;
    },
    candidates: () => {
      if (need === terms.length) {
        let best: ReadonlySet<string> | undefined;
        for (const t of terms) {
          const p = postings.get(t);
          if (!p) return new Set();
          if (!best || p.size < best.size) best = p;
        }
        return best;
      }
      const out = new Set<string>();
      for (const t of terms) for (const id of postings.get(t) ?? []) out.add(id);
      return out;
    },
    estimate: () => {
      let n = 0;
      let min = Infinity;
      for (const t of terms) {
        const size = postings.get(t)?.size ?? 0;
        n += size;
        min = Math.min(min, size);
      }
      return need === terms.length ? min : n;
    },
  };
}

function compileBool(q: Extract<QueryNode, { kind: 'bool' }>, ctx: CompileContext, scoring: boolean): Compiled {
  const must = q.must.map((c) => compile(c, ctx, scoring));
  const filter = q.filter.map((c) => compile(c, ctx, false));
  const should = q.should.map((c) => compile(c, ctx, scoring));
  const mustNot = q.mustNot.map((c) => compile(c, ctx, false));
  const required = [...must, ...filter];
  const dflt = required.length === 0 ? (should.length > 0 ? 1 : 0) : 0;
  const msm = resolveMsm(q.minimumShouldMatch, should.length, dflt);
  if (msm > should.length) return none;
  const emptyScore = scoring && must.length === 0 && filter.length === 0 && should.length === 0 && mustNot.length === 0 ? 1 : 0;
  return {
    score: (e) => {
      let s = 0;
      for (const c of filter) if (c.score(e) === undefined) return undefined;
      for (const c of mustNot) if (c.score(e) !== undefined) return undefined;
      for (const c of must) {
        const r = c.score(e);
        if (r === undefined) return undefined;
        s += r;
      }
      let matched = 0;
      for (const c of should) {
        const r = c.score(e);
        if (r === undefined) continue;
        matched++;
        s += r;
      }
      if (matched < msm) return undefined;
      return scoring ? (s + emptyScore) * q.boost : 0;
    },
    candidates: () => {
      const best = smallest(required);
      if (best !== undefined) return best.candidates();
      if (required.length === 0 && msm > 0) return unionAll(should);
      return undefined;
    },
    estimate: () => {
      const best = smallest(required);
      if (best !== undefined) return best.estimate();
      if (required.length === 0 && msm > 0) return sumEstimates(should);
      return undefined;
    },
    partition: () => {
      let best: Partition | undefined;
      for (const c of required) {
        const p = c.partition?.();
        if (p !== undefined && (best === undefined || p.size < best.size)) best = p;
      }
      if (best === undefined || best.span !== undefined) return best;
      for (const c of required) {
        const span = c.span?.();
        if (span !== undefined && span.field !== best.field) return { ...best, span };
      }
      return best;
    },
  };
}

/** The required clause with the smallest candidate estimate, if any can narrow. */
function smallest(required: readonly Compiled[]): Compiled | undefined {
  let best: Compiled | undefined;
  let bestSize = Infinity;
  for (const c of required) {
    const n = c.estimate();
    if (n !== undefined && n < bestSize) {
      best = c;
      bestSize = n;
    }
  }
  return best;
}
