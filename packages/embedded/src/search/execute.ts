/**
 * Runs a compiled query on one index and returns its top hits in sort order plus the hit count.
 * Two plans: evaluate the candidates the inverted indexes give (small candidate sets, scoring,
 * aggregations), or walk the cached sort order and stop once enough hits and the tracked count
 * are found (field sorts over many candidates: the claim-shaped search).
 */
import type { Compiled } from './query-compile.js';
import type { Decorated, Entry, SearchIndex, SortVal } from './search-index.js';
import { comparator, decoratedComparator, extractor, sortCacheKey } from './sort.js';
import type { BoundKey } from './sort.js';

export interface Hit {
  readonly e: Entry;
  readonly score: number;
  readonly k: readonly SortVal[];
  /** Position of the index in the request, the tie-break across indices. */
  readonly shard: number;
}

export interface IndexResult {
  readonly hits: Hit[];
  /** Matching documents counted (exact when !truncated). */
  readonly total: number;
  readonly truncated: boolean;
  readonly maxScore: number | undefined;
  /** Every match (for aggregations), when asked. */
  readonly all?: Entry[];
}

export interface ExecOptions {
  readonly query: Compiled;
  /** post_filter: restricts hits and total, not aggregations. */
  readonly postFilter: Compiled | undefined;
  readonly bound: readonly BoundKey[];
  /** from + size */
  readonly need: number;
  /** Count matches up to this many (Infinity: exact). */
  readonly trackLimit: number;
  readonly searchAfter: readonly SortVal[] | undefined;
  readonly collectAll: boolean;
  readonly minScore: number | undefined;
  readonly shard: number;
}

/** Candidate sets up to this size are evaluated directly instead of walking a sort order. */
const directCandidateLimit = 4096;

export function executeOnIndex(si: SearchIndex, o: ExecOptions): IndexResult {
  const cacheKey = sortCacheKey(o.bound);
  const estimate = o.query.estimate();
  // Nothing to return, only to count (`_count`, `size: 0`): no order is needed, and a sorted list
  // built for one would be kept current on every refresh after (a queue's `completed` jobs, say).
  if (o.need === 0 && !o.collectAll && o.minScore === undefined) return countMatches(si, o, estimate === undefined ? undefined : o.query.candidates());
  const part = cacheKey !== undefined && !o.collectAll && o.minScore === undefined ? o.query.partition?.() : undefined;
  if (cacheKey !== undefined && part !== undefined && part.size > 64) {
    const extract = extractor(o.bound);
    const picked = si.sortedPartition(cacheKey, part.field, part.values, (e) => extract(e), decoratedComparator(o.bound), part.span);
    return walk(o, picked.length === 1 ? (picked[0] ?? []) : mergeLists(picked, decoratedComparator(o.bound)));
  }
  if (cacheKey !== undefined && !o.collectAll && o.minScore === undefined && (estimate === undefined || estimate > directCandidateLimit)) {
    return walkSorted(si, o, cacheKey);
  }
  return evaluateAll(si, o, estimate === undefined ? undefined : o.query.candidates());
}

function walkSorted(si: SearchIndex, o: ExecOptions, cacheKey: string): IndexResult {
  const extract = extractor(o.bound);
  return walk(o, si.sortedBy(cacheKey, (e) => extract(e), decoratedComparator(o.bound)));
}

/** Lazily merge already-sorted lists (a terms filter over a partitioned order). */
function* mergeLists(lists: readonly (readonly Decorated[])[], cmp: (a: Decorated, b: Decorated) => number): Generator<Decorated> {
  const pos = lists.map(() => 0);
  let prev: Entry | undefined;
  for (;;) {
    let best = -1;
    let bestD: Decorated | undefined;
    for (let i = 0; i < lists.length; i++) {
      const d = lists[i]?.[pos[i] ?? 0];
      if (d !== undefined && (bestD === undefined || cmp(d, bestD) < 0)) {
        best = i;
        bestD = d;
      }
    }
    if (bestD === undefined) return;
    pos[best] = (pos[best] ?? 0) + 1;
    // a multi-valued document sits in several lists; equal keys and ord make its copies adjacent
    if (bestD.e === prev) continue;
    prev = bestD.e;
    yield bestD;
  }
}

function walk(o: ExecOptions, sorted: readonly Decorated[] | Iterable<Decorated>): IndexResult {
  const cmp = comparator(o.bound);
  const after = o.searchAfter;
  let start = 0;
  if (after && o.trackLimit === 0 && Array.isArray(sorted)) {
    // nothing to count before the search_after point: jump to it
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const d = sorted[mid];
      if (d !== undefined && cmp(d.k, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const hits: Hit[] = [];
  let total = 0;
  let truncated = false;
  // One step per document; false stops the walk.
  const visit = (d: Decorated): boolean => {
    if (o.query.score(d.e) === undefined) return true;
    if (o.postFilter && o.postFilter.score(d.e) === undefined) return true;
    total++;
    if (hits.length < o.need && (!after || cmp(d.k, after) > 0)) hits.push({ e: d.e, score: 0, k: d.k, shard: o.shard });
    if (hits.length >= o.need && total > o.trackLimit) {
      truncated = true;
      return false;
    }
    return true;
  };
  if (Array.isArray(sorted)) {
    // Indexed from the search_after point: a slice would copy the rest of the index per search.
    const list = sorted as readonly Decorated[];
    for (let i = start; i < list.length; i++) {
      const d = list[i];
      if (d !== undefined && !visit(d)) break;
    }
  } else {
    for (const d of sorted) if (!visit(d)) break;
  }
  return { hits, total, truncated, maxScore: undefined };
}

function countMatches(si: SearchIndex, o: ExecOptions, cands: ReadonlySet<string> | undefined): IndexResult {
  let total = 0;
  let truncated = false;
  // false stops: past the tracking limit the total is only a lower bound
  const visit = (e: Entry): boolean => {
    if (o.query.score(e) === undefined) return true;
    if (o.postFilter && o.postFilter.score(e) === undefined) return true;
    total++;
    if (total > o.trackLimit) {
      truncated = true;
      return false;
    }
    return true;
  };
  if (cands === undefined) {
    for (const e of si.entries.values()) if (!visit(e)) break;
  } else {
    for (const id of cands) {
      const e = si.entries.get(id);
      if (e !== undefined && !visit(e)) break;
    }
  }
  return { hits: [], total, truncated, maxScore: undefined };
}

function evaluateAll(si: SearchIndex, o: ExecOptions, cands: ReadonlySet<string> | undefined): IndexResult {
  const extract = extractor(o.bound);
  const matched: Hit[] = [];
  const all: Entry[] | undefined = o.collectAll ? [] : undefined;
  let maxScore: number | undefined;
  const visit = (e: Entry): void => {
    const score = o.query.score(e);
    if (score === undefined) return;
    if (o.minScore !== undefined && score < o.minScore) return;
    all?.push(e);
    if (o.postFilter && o.postFilter.score(e) === undefined) return;
    if (maxScore === undefined || score > maxScore) maxScore = score;
    matched.push({ e, score, k: extract(e, score), shard: o.shard });
  };
  if (cands === undefined) for (const e of si.entries.values()) visit(e);
  else for (const id of cands) {
    const e = si.entries.get(id);
    if (e) visit(e);
  }
  const cmp = comparator(o.bound);
  const after = o.searchAfter;
  const eligible = after ? matched.filter((h) => cmp(h.k, after) > 0) : matched;
  const hits = topN(eligible, o.need, (a, b) => cmp(a.k, b.k) || a.e.ord - b.e.ord);
  const result: IndexResult = { hits, total: matched.length, truncated: false, maxScore };
  return all ? { ...result, all } : result;
}

/** The first n of items in order, without sorting everything when n is small. */
function topN<T>(items: T[], n: number, cmp: (a: T, b: T) => number): T[] {
  if (n <= 0) return [];
  if (items.length <= n * 4 || n > 1000) return items.sort(cmp).slice(0, n);
  const top: T[] = [];
  for (const it of items) {
    if (top.length < n) {
      insertSorted(top, it, cmp);
      continue;
    }
    const last = top[top.length - 1] as T;
    if (cmp(it, last) < 0) {
      top.pop();
      insertSorted(top, it, cmp);
    }
  }
  return top;
}

function insertSorted<T>(arr: T[], it: T, cmp: (a: T, b: T) => number): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(arr[mid] as T, it) <= 0) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, it);
}
