import type { IndexedValue, MappingView, SearchSide, StoredDoc } from '../contracts.js';
import { type Slot, distinctValues, forEachChangedField, slotLength, someValue } from '../store/doc-fields.js';
import type { Span } from './query-compile.js';

/** A visible document with its position in index order (`_doc` sort, final tie-break). */
export interface Entry {
  readonly doc: StoredDoc;
  readonly ord: number;
  /** Set when a refresh replaced or deleted it (cheaper to test than the refresh's id map). */
  gone: boolean;
}

/** Sort values of one entry for one sort spec; `null` is a missing value. */
export type SortVal = number | string | null;

export interface Decorated {
  readonly e: Entry;
  readonly k: readonly SortVal[];
}

/** A cached total order of all entries for one sort spec, kept current across refreshes. */
interface SortCache {
  readonly extract: (e: Entry) => SortVal[];
  readonly compare: (a: Decorated, b: Decorated) => number;
  sorted: Decorated[];
  lastUsed: number;
}

/**
 * Like SortCache, split by the values of one field: one sorted list per value, built the first
 * time a search asks for that value and kept current from then on. Values nobody searches (a
 * claim asks for `state: queued`, never `completed`) cost nothing on refresh.
 */
interface PartitionCache {
  readonly field: string;
  /** Lists hold only the documents with a value of span.field inside the span (a claimer's slice). */
  readonly span: Span | undefined;
  readonly extract: (e: Entry) => SortVal[];
  readonly compare: (a: Decorated, b: Decorated) => number;
  readonly lists: Map<IndexedValue, Decorated[]>;
  /** When each built value was last asked for (the least recent go beyond maxPartitionLists). */
  readonly used: Map<IndexedValue, number>;
  lastUsed: number;
  /** The refresh generation of the last search that used it. */
  lastUsedGeneration: number;
}

interface FieldStats {
  docs: number;
  terms: number;
}

const maxSortCaches = 8;
const maxPartitionLists = 64;
/**
 * Lists narrowed by a span are one per claimer slice: as many as claimers share a queue, and a new
 * set whenever claimers join or leave (the slices move). Unused ones go after this many refreshes,
 * so slices nobody searches any more stop costing merge work.
 */
const maxSpanCaches = 64;
const spanCacheIdleGenerations = 30;

/**
 * The refreshed (searchable) state of one index: documents, per-field inverted indexes
 * (value → ids) for candidate selection, field length statistics for scoring, and cached sort
 * orders that are merged incrementally on refresh instead of re-sorted.
 */
export class SearchIndex implements SearchSide {
  readonly mapping: MappingView;
  readonly entries = new Map<string, Entry>();
  /**
   * Inverted indexes (value → ids), only for fields a query has asked about: built on first use
   * from the entries, then kept current. A job changes half a dozen fields per transition (times,
   * attempt, lease) that no claim searches by term; keeping postings for them was a tenth of a
   * busy engine's time, and a set per timestamp value most of its garbage.
   */
  private readonly postings = new Map<string, Map<IndexedValue, Set<string>>>();
  private readonly stats = new Map<string, FieldStats>();
  private readonly sortCaches = new Map<string, SortCache>();
  private readonly partitionCaches = new Map<string, PartitionCache>();
  private readonly spanCaches = new Map<string, PartitionCache>();
  private nextOrd = 0;
  private useCounter = 0;
  /** Bumped on every refresh that changed something. */
  generation = 0;

  constructor(mapping: MappingView) {
    this.mapping = mapping;
  }

  get size(): number {
    return this.entries.size;
  }

  applyRefresh(changes: ReadonlyMap<string, StoredDoc | null>): void {
    if (changes.size === 0) return;
    this.generation++;
    const added: Entry[] = [];
    const removed: Entry[] = [];
    for (const [id, doc] of changes) {
      const old = this.entries.get(id);
      if (old) {
        old.gone = true;
        removed.push(old);
      }
      if (doc === null) {
        if (old) this.unindex(old);
        this.entries.delete(id);
        continue;
      }
      const e: Entry = { doc, ord: this.nextOrd++, gone: false };
      this.entries.set(id, e);
      // An update usually changes a few fields (a job's state, lease, times): re-index only those.
      if (old === undefined) this.indexEntry(e);
      else if (!forEachChangedField(old.doc.fields, doc.fields, (field, before, after) => this.reindexField(id, field, before, after))) {
        this.unindex(old);
        this.indexEntry(e);
      }
      added.push(e);
    }
    for (const cache of this.sortCaches.values()) mergeInto(cache, removed, added);
    // The partitioned caches share a field or two (a claim's `state`): the changes are grouped by
    // its values once, so each cache looks only at the values it lists (`queued`), not at every change.
    const groups = new Map<string, ChangesByValue>();
    const grouped = (field: string): ChangesByValue => {
      let g = groups.get(field);
      if (g === undefined) groups.set(field, (g = groupByValue(field, removed, added)));
      return g;
    };
    for (const cache of this.partitionCaches.values()) mergePartitions(cache, grouped);
    for (const [key, cache] of this.spanCaches) {
      if (this.generation - cache.lastUsedGeneration > spanCacheIdleGenerations) this.spanCaches.delete(key);
      else mergePartitions(cache, grouped);
    }
  }

  /**
   * Entries in the order of a sort spec, one list per value of `field` (so a term filter on that
   * field walks only its own documents, and a terms filter merges a few lists). With a `span`,
   * the lists hold only the documents inside it too: a claimer searching its slice of a queue
   * then walks its own jobs instead of stepping over every other claimer's.
   */
  sortedPartition(
    key: string,
    field: string,
    values: readonly IndexedValue[],
    extract: (e: Entry) => SortVal[],
    compare: (a: Decorated, b: Decorated) => number,
    span?: Span,
  ): (readonly Decorated[])[] {
    const caches = span === undefined ? this.partitionCaches : this.spanCaches;
    const cacheKey = span === undefined ? `${field}\u0000${key}` : `${field}\u0000${key}\u0000${span.field}\u0000${span.key}`;
    let cache = caches.get(cacheKey);
    if (!cache) {
      cache = { field, span, extract, compare, lists: new Map(), used: new Map(), lastUsed: 0, lastUsedGeneration: this.generation };
      caches.set(cacheKey, cache);
      if (caches.size > (span === undefined ? maxSortCaches : maxSpanCaches)) evictOldest(caches);
    }
    const stamp = ++this.useCounter;
    cache.lastUsed = stamp;
    cache.lastUsedGeneration = this.generation;
    const out: (readonly Decorated[])[] = [];
    for (const v of values) {
      let list = cache.lists.get(v);
      if (list === undefined) {
        list = [];
        for (const id of this.postingsFor(field, v) ?? []) {
          const e = this.entries.get(id);
          if (e !== undefined && inSpan(e, span)) list.push({ e, k: extract(e) });
        }
        list.sort(compare);
        cache.lists.set(v, list);
        if (cache.lists.size > maxPartitionLists) dropLeastUsed(cache);
      }
      cache.used.set(v, stamp);
      if (list.length > 0) out.push(list);
    }
    return out;
  }

  /** Ids holding `value` in `field` (shared set: do not mutate). */
  postingsFor(field: string, value: IndexedValue): ReadonlySet<string> | undefined {
    return this.postingsOf(field).get(value);
  }

  /** The inverted index of `field` (shared: do not mutate), built now if no query asked for it yet. */
  postingsOf(field: string): ReadonlyMap<IndexedValue, ReadonlySet<string>> {
    let byValue = this.postings.get(field);
    if (byValue === undefined) {
      byValue = new Map();
      for (const [id, e] of this.entries) {
        const values = e.doc.fields.get(field);
        if (values !== undefined) for (const v of values) addPosting(byValue, v, id);
      }
      this.postings.set(field, byValue);
    }
    return byValue;
  }

  fieldStats(field: string): FieldStats {
    return this.stats.get(field) ?? { docs: 0, terms: 0 };
  }

  /** Entries in the order of a sort spec, from the cache (built on first use). */
  sortedBy(key: string, extract: (e: Entry) => SortVal[], compare: (a: Decorated, b: Decorated) => number): readonly Decorated[] {
    let cache = this.sortCaches.get(key);
    if (!cache) {
      const sorted: Decorated[] = [];
      for (const e of this.entries.values()) sorted.push({ e, k: extract(e) });
      sorted.sort(compare);
      cache = { extract, compare, sorted, lastUsed: 0 };
      this.sortCaches.set(key, cache);
      if (this.sortCaches.size > maxSortCaches) evictOldest(this.sortCaches);
    }
    cache.lastUsed = ++this.useCounter;
    return cache.sorted;
  }

  private indexEntry(e: Entry): void {
    const id = e.doc.id;
    e.doc.fields.forEach((values, field) => {
      const byValue = this.postings.get(field);
      if (byValue !== undefined) for (const v of values) addPosting(byValue, v, id);
      const s = this.stats.get(field);
      if (s) {
        s.docs++;
        s.terms += values.length;
      } else this.stats.set(field, { docs: 1, terms: values.length });
    });
  }

  private reindexField(id: string, field: string, before: Slot, after: Slot): void {
    const byValue = this.postings.get(field);
    if (byValue !== undefined) {
      if (Array.isArray(before)) for (const v of before) dropPosting(byValue, v, id);
      else if (before !== undefined) dropPosting(byValue, before, id);
      if (Array.isArray(after)) for (const v of after) addPosting(byValue, v, id);
      else if (after !== undefined) addPosting(byValue, after, id);
    }
    const nb = slotLength(before);
    const na = slotLength(after);
    const s = this.stats.get(field);
    if (s === undefined) this.stats.set(field, { docs: na > 0 ? 1 : 0, terms: na });
    else {
      s.docs += (na > 0 ? 1 : 0) - (nb > 0 ? 1 : 0);
      s.terms += na - nb;
    }
  }

  private unindex(e: Entry): void {
    const id = e.doc.id;
    e.doc.fields.forEach((values, field) => {
      const byValue = this.postings.get(field);
      if (byValue) for (const v of values) dropPosting(byValue, v, id);
      const s = this.stats.get(field);
      if (s) {
        s.docs--;
        s.terms -= values.length;
      }
    });
  }
}

function addPosting(byValue: Map<IndexedValue, Set<string>>, v: IndexedValue, id: string): void {
  const ids = byValue.get(v);
  if (ids === undefined) byValue.set(v, new Set([id]));
  else ids.add(id);
}

function dropPosting(byValue: Map<IndexedValue, Set<string>>, v: IndexedValue, id: string): void {
  const ids = byValue.get(v);
  if (ids === undefined) return;
  ids.delete(id);
  if (ids.size === 0) byValue.delete(v);
}

function evictOldest(caches: Map<string, { lastUsed: number }>): void {
  let oldest: string | undefined;
  let min = Infinity;
  for (const [k, c] of caches) {
    if (c.lastUsed < min) {
      min = c.lastUsed;
      oldest = k;
    }
  }
  if (oldest !== undefined) caches.delete(oldest);
}

function dropLeastUsed(cache: PartitionCache): void {
  let oldest: IndexedValue | undefined;
  let min = Infinity;
  for (const [v, at] of cache.used) {
    if (at < min) {
      min = at;
      oldest = v;
    }
  }
  if (oldest === undefined) return;
  cache.used.delete(oldest);
  cache.lists.delete(oldest);
}

/** One refresh's replaced and new entries, by each value they hold of one field. */
type ChangesByValue = Map<IndexedValue, { readonly removed: Entry[]; readonly added: Entry[] }>;

function groupByValue(field: string, removed: readonly Entry[], added: readonly Entry[]): ChangesByValue {
  const out: ChangesByValue = new Map();
  for (const e of removed) for (const v of distinctValues(e.doc.fields, field)) changesOf(out, v).removed.push(e);
  for (const e of added) for (const v of distinctValues(e.doc.fields, field)) changesOf(out, v).added.push(e);
  return out;
}

function changesOf(out: ChangesByValue, v: IndexedValue): { readonly removed: Entry[]; readonly added: Entry[] } {
  let g = out.get(v);
  if (g === undefined) out.set(v, (g = { removed: [], added: [] }));
  return g;
}

function mergePartitions(cache: PartitionCache, grouped: (field: string) => ChangesByValue): void {
  if (cache.lists.size === 0) return;
  const groups = grouped(cache.field);
  const span = cache.span;
  for (const [v, current] of cache.lists) {
    const g = groups.get(v);
    if (g === undefined) continue;
    const gone = span === undefined ? g.removed : g.removed.filter((e) => inSpan(e, span));
    const incoming: Decorated[] = [];
    for (const e of g.added) if (inSpan(e, span)) incoming.push({ e, k: cache.extract(e) });
    if (gone.length === 0 && incoming.length === 0) continue;
    if (patchInPlace(current, gone, cache.extract, incoming, cache.compare)) continue;
    cache.lists.set(v, withChanges(current, incoming, cache.compare));
  }
}

/** Whether the entry has a value of the span's field inside it (always, without a span). */
function inSpan(e: Entry, span: Span | undefined): boolean {
  return span === undefined || someValue(e.doc.fields, span.field, span.test) === true;
}

/** Drop changed entries and merge the (sorted) new ones in: O(n + k log k) per refresh. */
function mergeInto(cache: SortCache, removed: readonly Entry[], added: readonly Entry[]): void {
  const fresh = added.map((e) => ({ e, k: cache.extract(e) }));
  if (patchInPlace(cache.sorted, removed, cache.extract, fresh, cache.compare)) return;
  cache.sorted = withChanges(cache.sorted, fresh, cache.compare);
}

/** Few changes: binary-search and splice instead of rebuilding the whole order. */
function patchInPlace(list: Decorated[], gone: readonly Entry[], extract: (e: Entry) => SortVal[], fresh: readonly Decorated[], compare: (a: Decorated, b: Decorated) => number): boolean {
  if (gone.length + fresh.length > 256 || list.length < 4096) return false;
  for (const e of gone) {
    const i = lowerBound(list, { e, k: extract(e) }, compare);
    if (list[i]?.e !== e) return false; // not where expected: let the full merge repair it
    list.splice(i, 1);
  }
  for (const d of fresh) list.splice(lowerBound(list, d, compare), 0, d);
  return true;
}

/**
 * `list` without the entries a refresh replaced, with `fresh` sorted and merged in. With only
 * removals it is compacted where it is (a copy of a large list per refresh was garbage).
 */
function withChanges(list: Decorated[], fresh: Decorated[], compare: (a: Decorated, b: Decorated) => number): Decorated[] {
  if (fresh.length > 0) return mergeSorted(list, fresh.sort(compare), compare);
  let w = 0;
  for (let r = 0; r < list.length; r++) {
    const d = list[r] as Decorated;
    if (!d.e.gone) list[w++] = d;
  }
  list.length = w;
  return list;
}

function lowerBound(list: readonly Decorated[], d: Decorated, compare: (a: Decorated, b: Decorated) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(list[mid] as Decorated, d) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `old` without the entries this refresh replaced or deleted, with `fresh` (sorted) merged in. */
function mergeSorted(old: readonly Decorated[], fresh: readonly Decorated[], compare: (a: Decorated, b: Decorated) => number): Decorated[] {
  const out: Decorated[] = [];
  let j = 0;
  for (const d of old) {
    if (d.e.gone) continue;
    while (j < fresh.length) {
      const f = fresh[j];
      if (f === undefined || compare(f, d) >= 0) break;
      out.push(f);
      j++;
    }
    out.push(d);
  }
  for (; j < fresh.length; j++) {
    const f = fresh[j];
    if (f !== undefined) out.push(f);
  }
  return out;
}

export function createSearchSide(mapping: MappingView): SearchIndex {
  return new SearchIndex(mapping);
}
