/**
 * The _search, _count and _delete_by_query endpoints: parse the request, run it on every resolved
 * index, merge, and render Elasticsearch's response bodies.
 */
import type { EngineRequest, EngineResponse, IndexHandle, StoreAccess } from '../contracts.js';
import { EsError } from '../errors.js';
import type { EsErrorCause } from '../errors.js';
import { parseAggs, runAggs } from './aggs.js';
import type { IndexMatches } from './aggs.js';
import { docValueFields, parseDocValueFields } from './docvalue-fields.js';
import type { DocValueField } from './docvalue-fields.js';
import { executeOnIndex } from './execute.js';
import type { Hit, IndexResult } from './execute.js';
import { compile } from './query-compile.js';
import { parseQ, parseQuery } from './query-parse.js';
import type { QueryNode } from './query-parse.js';
import { boolParam, checkParams, countParams, deleteByQueryParams, intParam, parseBody, resolveOptions, searchParams, tokenName } from './request.js';
import { allShardsFailed, illegalArgument, parsingError, ShardError } from './search-errors.js';
import { SearchIndex } from './search-index.js';
import { bindSort, comparator, parseSearchAfter, parseSort, parseSortParam, renderSortValues } from './sort.js';
import type { SortKey } from './sort.js';
import { fetchAll, filterSource } from './source-filter.js';
import type { SourceSpec } from './source-filter.js';

const maxResultWindow = 10_000;
const defaultTrackTotalHits = 10_000;

interface SearchRequest {
  readonly query: QueryNode;
  readonly postFilter: QueryNode | undefined;
  readonly from: number;
  readonly size: number;
  readonly sort: SortKey[] | undefined;
  readonly source: SourceSpec;
  readonly trackTotalHits: number | false;
  readonly searchAfter: unknown[] | undefined;
  readonly aggs: ReturnType<typeof parseAggs> | undefined;
  readonly seqNoPrimaryTerm: boolean;
  readonly version: boolean;
  readonly trackScores: boolean;
  readonly minScore: number | undefined;
  readonly totalAsInt: boolean;
  readonly typedKeys: boolean;
  readonly docValueFields: DocValueField[];
}

const bodyKeys = new Set([
  'query', 'from', 'size', 'sort', '_source', 'track_total_hits', 'search_after', 'aggs', 'aggregations',
  'seq_no_primary_term', 'version', 'timeout', 'track_scores', 'min_score', 'post_filter', 'stored_fields',
  'explain', 'terminate_after', 'profile', 'stats', 'indices_boost', 'ext', 'batched_reduce_size', 'docvalue_fields',
]);
const unsupportedBodyKeys = new Set(['highlight', 'suggest', 'collapse', 'rescore', 'pit', 'runtime_mappings', 'script_fields', 'knn', 'slice', 'fields', 'retriever', 'rank']);

function nonNegativeInt(name: string, v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw parsingError(`[${name}] failed to parse field [${name}]`);
  if (n < 0) throw illegalArgument(`[${name}] parameter cannot be negative, found [${n}]`);
  return n;
}

function sourceSpecOf(v: unknown): SourceSpec {
  if (v === undefined || v === true) return fetchAll;
  if (v === false) return { fetch: false, includes: [], excludes: [] };
  if (typeof v === 'string') return { fetch: true, includes: [v], excludes: [] };
  if (Array.isArray(v)) return { fetch: true, includes: v.map(String), excludes: [] };
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const list = (x: unknown): string[] => (x === undefined ? [] : Array.isArray(x) ? x.map(String) : [String(x)]);
    for (const k of Object.keys(o)) {
      if (!['includes', 'include', 'excludes', 'exclude'].includes(k)) throw parsingError(`Unknown key for a ${tokenName(o[k])} in [${k}].`);
    }
    return { fetch: true, includes: list(o.includes ?? o.include), excludes: list(o.excludes ?? o.exclude) };
  }
  throw parsingError(`Unknown key for a ${tokenName(v)} in [_source].`);
}

function sourceFromParams(req: EngineRequest, body: SourceSpec): SourceSpec {
  const p = req.query._source;
  const inc = req.query._source_includes;
  const exc = req.query._source_excludes;
  let spec = body;
  if (p !== undefined) {
    if (p === 'false') spec = { fetch: false, includes: [], excludes: [] };
    else if (p === 'true' || p === '') spec = fetchAll;
    else spec = { fetch: true, includes: p.split(','), excludes: [] };
  }
  if (inc !== undefined || exc !== undefined) {
    spec = {
      fetch: true,
      includes: inc !== undefined ? inc.split(',') : spec.includes,
      excludes: exc !== undefined ? exc.split(',') : spec.excludes,
    };
  }
  return spec;
}

function trackTotalHitsOf(v: unknown): number | false {
  if (v === undefined) return defaultTrackTotalHits;
  if (v === true || v === 'true') return Infinity;
  if (v === false || v === 'false') return false;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw parsingError('[track_total_hits] failed to parse field [track_total_hits]');
  if (n === -1) return false;
  if (n < 0) throw illegalArgument(`[track_total_hits] parameter must be positive or equals to -1, got ${n}`);
  return n;
}

function parseSearchRequest(req: EngineRequest): SearchRequest {
  checkParams(req, searchParams);
  if (req.query.scroll !== undefined) throw illegalArgument('[scroll] is not supported by the embedded engine; use search_after');
  const body = parseBody(req) ?? {};
  for (const [k, v] of Object.entries(body)) {
    if (unsupportedBodyKeys.has(k)) throw illegalArgument(`[${k}] is not supported by the embedded engine`);
    if (!bodyKeys.has(k)) throw parsingError(`Unknown key for a ${tokenName(v)} in [${k}].`);
  }
  let query: QueryNode = body.query === undefined ? { kind: 'match_all', boost: 1 } : parseQuery(body.query);
  if (req.query.q !== undefined) query = parseQ(req.query.q);
  const from = req.query.from !== undefined ? nonNegativeInt('from', intParam(req, 'from')) : body.from === undefined ? 0 : nonNegativeInt('from', body.from);
  const sizeRaw = req.query.size !== undefined ? intParam(req, 'size') : body.size;
  const size = sizeRaw === undefined ? 10 : nonNegativeInt('size', sizeRaw);
  let sort = body.sort === undefined ? undefined : parseSort(body.sort);
  if (req.query.sort !== undefined) sort = parseSortParam(req.query.sort);
  const trackTotalHits = trackTotalHitsOf(req.query.track_total_hits ?? body.track_total_hits);
  const totalAsInt = boolParam(req, 'rest_total_hits_as_int', false);
  if (totalAsInt && trackTotalHits !== false && trackTotalHits !== Infinity && (req.query.track_total_hits ?? body.track_total_hits) !== undefined) {
    throw illegalArgument(`[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got ${trackTotalHits}`);
  }
  let searchAfter: unknown[] | undefined;
  if (body.search_after !== undefined) {
    if (!Array.isArray(body.search_after)) throw parsingError('[search_after] failed to parse field [search_after]');
    searchAfter = body.search_after;
    if (from > 0) throw illegalArgument('`from` parameter must be set to 0 when `search_after` is used.');
  }
  let source = sourceSpecOf(body._source);
  if (Array.isArray(body.stored_fields) || typeof body.stored_fields === 'string') {
    const sf = Array.isArray(body.stored_fields) ? body.stored_fields.map(String) : [String(body.stored_fields)];
    if (!sf.includes('_source') && body._source === undefined) source = { fetch: false, includes: [], excludes: [] };
  }
  source = sourceFromParams(req, source);
  const aggsJson = body.aggs ?? body.aggregations;
  const minScore = body.min_score === undefined ? undefined : Number(body.min_score);
  return {
    query,
    postFilter: body.post_filter === undefined ? undefined : parseQuery(body.post_filter),
    from,
    size,
    sort,
    source,
    trackTotalHits: totalAsInt && trackTotalHits !== false ? Infinity : trackTotalHits,
    searchAfter,
    aggs: aggsJson === undefined ? undefined : parseAggs(aggsJson),
    seqNoPrimaryTerm: boolParam(req, 'seq_no_primary_term', body.seq_no_primary_term === true),
    version: boolParam(req, 'version', body.version === true),
    trackScores: boolParam(req, 'track_scores', body.track_scores === true),
    minScore,
    totalAsInt,
    typedKeys: boolParam(req, 'typed_keys', false),
    docValueFields: req.query.docvalue_fields !== undefined
      ? parseDocValueFields(req.query.docvalue_fields.split(','))
      : body.docvalue_fields === undefined ? [] : parseDocValueFields(body.docvalue_fields),
  };
}

function searchableIndices(handles: readonly IndexHandle[]): [IndexHandle, SearchIndex][] {
  const out: [IndexHandle, SearchIndex][] = [];
  for (const h of handles) if (h.searchSide instanceof SearchIndex) out.push([h, h.searchSide]);
  return out;
}

function shards(total: number, failures: readonly { index: string; cause: EsErrorCause }[] = []): Record<string, unknown> {
  const s: Record<string, unknown> = { total, successful: total - failures.length, skipped: 0, failed: failures.length };
  if (failures.length) s.failures = failures.map((f) => ({ shard: 0, index: f.index, node: 'embedded', reason: f.cause }));
  return s;
}

interface Ran {
  readonly results: (IndexResult & { readonly handle: IndexHandle; readonly si: SearchIndex })[];
  readonly failures: { index: string; cause: EsErrorCause }[];
  readonly bound: ReturnType<typeof bindSort> | undefined;
}

/** Run per index; shard-level errors become failures, and all-failed becomes the 400 Elasticsearch returns. */
function runEverywhere(store: StoreAccess, indices: readonly [IndexHandle, SearchIndex][], r: SearchRequest, collectAll: boolean, need: number): Ran {
  const results: Ran['results'] = [];
  const failures: Ran['failures'] = [];
  let firstBound: ReturnType<typeof bindSort> | undefined;
  const now = store.now();
  const sortKeys: SortKey[] = r.sort ?? [{ kind: 'score', field: '_score', desc: true, missing: '_last', unmappedType: undefined, mode: undefined, format: undefined }];
  const scoring = r.sort === undefined || r.trackScores || r.sort.some((k) => k.kind === 'score') || r.minScore !== undefined;
  indices.forEach(([h, si], shard) => {
    try {
      const ctx = { index: si, indexName: h.name, now };
      const bound = bindSort(sortKeys, si);
      firstBound ??= bound;
      const res = executeOnIndex(si, {
        query: compile(r.query, ctx, scoring),
        postFilter: r.postFilter === undefined ? undefined : compile(r.postFilter, ctx, false),
        bound,
        need,
        trackLimit: r.trackTotalHits === false ? 0 : r.trackTotalHits,
        searchAfter: r.searchAfter === undefined ? undefined : parseSearchAfter(r.searchAfter, bound),
        collectAll,
        minScore: r.minScore,
        shard,
      });
      results.push({ ...res, handle: h, si });
    } catch (err) {
      if (err instanceof ShardError) failures.push({ index: h.name, cause: err.cause_ });
      else throw err;
    }
  });
  if (failures.length > 0 && failures.length === indices.length) {
    const first = failures[0] as { index: string; cause: EsErrorCause };
    throw allShardsFailed(failures.map((f) => f.index), first.cause, first.cause.type === 'search_phase_execution_exception' ? 500 : 400);
  }
  return { results, failures, bound: firstBound };
}

function took(start: number): number {
  return Math.max(0, Math.round(performance.now() - start));
}

function render(e: EsError | unknown): EngineResponse {
  if (e instanceof EsError) return { status: e.status, body: e.toBody() };
  if (e instanceof ShardError) return { status: 400, body: new EsError(400, e.cause_).toBody() };
  throw e;
}

export async function handleSearch(store: StoreAccess, req: EngineRequest, target: string | undefined): Promise<EngineResponse> {
  const start = performance.now();
  try {
    const r = parseSearchRequest(req);
    const handles = store.resolve(target, resolveOptions(req));
    const indices = searchableIndices(handles);
    if (r.from + r.size > maxResultWindow && indices.length > 0) {
      throw allShardsFailed(indices.map(([h]) => h.name), {
        type: 'illegal_argument_exception',
        reason: `Result window is too large, from + size must be less than or equal to: [${maxResultWindow}] but was [${r.from + r.size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
      });
    }
    const need = r.from + r.size;
    const ran = runEverywhere(store, indices, r, r.aggs !== undefined, need);
    const hits = mergeHits(ran, need).slice(r.from);
    let total = 0;
    let truncated = false;
    let maxScore: number | undefined;
    for (const res of ran.results) {
      total += res.total;
      truncated ||= res.truncated;
      if (res.maxScore !== undefined && (maxScore === undefined || res.maxScore > maxScore)) maxScore = res.maxScore;
    }
    const sortedByField = r.sort !== undefined && !(r.sort.length > 0 && r.sort[0]?.kind === 'score');
    const showScores = !sortedByField || r.trackScores;
    const hitsBody: Record<string, unknown> = {};
    if (r.trackTotalHits !== false) {
      const limit = r.trackTotalHits;
      const over = truncated || total > limit;
      hitsBody.total = r.totalAsInt ? total : { value: over ? limit : total, relation: over ? 'gte' : 'eq' };
    } else if (r.totalAsInt) hitsBody.total = -1;
    hitsBody.max_score = showScores && hits.length > 0 && maxScore !== undefined ? maxScore : null;
    try {
      hitsBody.hits = hits.map((h) => renderHit(h, r, showScores, ran));
    } catch (err) {
      if (err instanceof ShardError) throw allShardsFailed(indices.map(([h]) => h.name), err.cause_);
      throw err;
    }
    const body: Record<string, unknown> = {
      took: took(start),
      timed_out: false,
      _shards: shards(indices.length, ran.failures),
      hits: hitsBody,
    };
    if (r.aggs !== undefined) {
      const parts: IndexMatches[] = ran.results.map((res) => ({ index: res.si, indexName: res.handle.name, entries: res.all ?? [] }));
      try {
        body.aggregations = runAggs(r.aggs, parts, store.now(), r.typedKeys);
      } catch (err) {
        if (err instanceof ShardError) throw allShardsFailed(indices.map(([h]) => h.name), err.cause_);
        throw err;
      }
    }
    return { status: 200, body };
  } catch (err) {
    return render(err);
  }
}

function mergeHits(ran: Ran, need: number): Hit[] {
  if (ran.results.length === 1) return ran.results[0]?.hits ?? [];
  const bound = ran.bound;
  const all = ran.results.flatMap((r) => r.hits);
  if (!bound) return all.slice(0, need);
  const cmp = comparator(bound);
  return all.sort((a, b) => cmp(a.k, b.k) || a.shard - b.shard || a.e.ord - b.e.ord).slice(0, need);
}

function renderHit(h: Hit, r: SearchRequest, showScores: boolean, ran: Ran): Record<string, unknown> {
  const d = h.e.doc;
  const out: Record<string, unknown> = { _index: d.index, _id: d.id };
  if (r.version) out._version = d.version;
  if (r.seqNoPrimaryTerm) {
    out._seq_no = d.seqNo;
    out._primary_term = d.primaryTerm;
  }
  out._score = showScores ? h.score : null;
  if (r.source.fetch) out._source = filterSource(d.source, r.source);
  if (r.docValueFields.length > 0) {
    const res = ran.results.find((x) => x.handle.name === d.index);
    const fields = res ? docValueFields(d, res.si.mapping, r.docValueFields) : undefined;
    if (fields) out.fields = fields;
  }
  if (r.sort !== undefined && ran.bound) out.sort = renderSortValues(h.k, ran.bound);
  return out;
}

// ---------------------------------------------------------------------------------------------
// _count

export async function handleCount(store: StoreAccess, req: EngineRequest, target: string | undefined): Promise<EngineResponse> {
  try {
    checkParams(req, countParams);
    const body = parseBody(req) ?? {};
    for (const k of Object.keys(body)) {
      if (k !== 'query') throw parsingError(`request does not support [${k}]`);
    }
    let query: QueryNode = body.query === undefined ? { kind: 'match_all', boost: 1 } : parseQuery(body.query);
    if (req.query.q !== undefined) query = parseQ(req.query.q);
    const minScore = req.query.min_score === undefined ? undefined : Number(req.query.min_score);
    const indices = searchableIndices(store.resolve(target, resolveOptions(req)));
    const r = countRequest(query, minScore);
    const ran = runEverywhere(store, indices, r, false, 0);
    let count = 0;
    for (const res of ran.results) count += res.total;
    return { status: 200, body: { count, _shards: shards(indices.length, ran.failures) } };
  } catch (err) {
    return render(err);
  }
}

function countRequest(query: QueryNode, minScore: number | undefined): SearchRequest {
  return {
    query,
    postFilter: undefined,
    from: 0,
    size: 0,
    sort: [{ kind: 'doc', field: '_doc', desc: false, missing: '_last', unmappedType: undefined, mode: undefined, format: undefined }],
    source: fetchAll,
    trackTotalHits: Infinity,
    searchAfter: undefined,
    aggs: undefined,
    seqNoPrimaryTerm: false,
    version: false,
    trackScores: minScore !== undefined,
    minScore,
    totalAsInt: false,
    typedKeys: false,
    docValueFields: [],
  };
}

// ---------------------------------------------------------------------------------------------
// _delete_by_query

export async function handleDeleteByQuery(store: StoreAccess, req: EngineRequest, target: string | undefined): Promise<EngineResponse> {
  const start = performance.now();
  try {
    checkParams(req, deleteByQueryParams);
    if (!boolParam(req, 'wait_for_completion', true)) {
      throw illegalArgument('[wait_for_completion=false] is not supported by the embedded engine');
    }
    const conflicts = req.query.conflicts ?? 'abort';
    const body = parseBody(req) ?? {};
    for (const k of Object.keys(body)) {
      if (k === 'conflicts' || k === 'max_docs' || k === 'query') continue;
      if (k === 'slice') throw illegalArgument('[slice] is not supported by the embedded engine');
      throw parsingError(`[delete_by_query] unknown field [${k}]`);
    }
    const conflictMode = typeof body.conflicts === 'string' && req.query.conflicts === undefined ? body.conflicts : conflicts;
    if (conflictMode !== 'abort' && conflictMode !== 'proceed') {
      throw illegalArgument(`conflicts may only be "proceed" or "abort" but was [${conflictMode}]`);
    }
    const maxDocsRaw = req.query.max_docs !== undefined ? intParam(req, 'max_docs') : body.max_docs;
    let maxDocs = Infinity;
    if (maxDocsRaw !== undefined) {
      const n = Number(maxDocsRaw);
      if (!Number.isInteger(n) || n <= 0) throw illegalArgument(`[max_docs] parameter cannot be negative or zero, found [${String(maxDocsRaw)}]`);
      maxDocs = n;
    }
    let query: QueryNode;
    if (req.query.q !== undefined) query = parseQ(req.query.q);
    else if (body.query !== undefined) query = parseQuery(body.query);
    else {
      throw new EsError(400, { type: 'action_request_validation_exception', reason: 'Validation Failed: 1: query is missing;' });
    }
    if (target === undefined) throw illegalArgument('delete_by_query requires an index');
    const indices = searchableIndices(store.resolve(target, resolveOptions(req)));
    const ran = runEverywhere(store, indices, { ...countRequest(query, undefined), trackScores: false }, true, 0);
    let deleted = 0;
    let conflictCount = 0;
    let total = 0;
    const failures: unknown[] = [];
    outer: for (const res of ran.results) {
      for (const e of res.all ?? []) {
        if (deleted >= maxDocs || (conflictMode === 'abort' && total >= maxDocs)) break outer;
        total++;
        const d = e.doc;
        const outcome = res.handle.deleteIfMatch(d.id, d.seqNo, d.primaryTerm);
        if (outcome === 'deleted') {
          deleted++;
          continue;
        }
        conflictCount++;
        if (conflictMode === 'abort') {
          failures.push(conflictFailure(res.handle, d.id, d.seqNo, d.primaryTerm));
          break outer;
        }
      }
    }
    if (boolParam(req, 'refresh', false)) for (const [h] of indices) h.refresh();
    await store.commit();
    const scrollSize = intParam(req, 'scroll_size') ?? 1000;
    const rps = req.query.requests_per_second === undefined || req.query.requests_per_second === '-1' ? -1 : Number(req.query.requests_per_second);
    return {
      status: failures.length > 0 ? 409 : 200,
      body: {
        took: took(start),
        timed_out: false,
        total,
        deleted,
        batches: total === 0 ? 0 : Math.ceil(total / Math.max(1, scrollSize)),
        version_conflicts: conflictCount,
        noops: 0,
        retries: { bulk: 0, search: 0 },
        throttled_millis: 0,
        requests_per_second: rps,
        throttled_until_millis: 0,
        failures,
      },
    };
  } catch (err) {
    return render(err);
  }
}

function conflictFailure(h: IndexHandle, id: string, seqNo: number, primaryTerm: number): Record<string, unknown> {
  const live = h.getLive(id);
  const reason = live
    ? `[${id}]: version conflict, required seqNo [${seqNo}], primary term [${primaryTerm}]. current document has seqNo [${live.seqNo}] and primary term [${live.primaryTerm}]`
    : `[${id}]: version conflict, required seqNo [${seqNo}], primary term [${primaryTerm}]. but no document was found`;
  return {
    index: h.name,
    id,
    cause: { type: 'version_conflict_engine_exception', reason, index_uuid: h.uuid, shard: '0', index: h.name },
    status: 409,
  };
}
