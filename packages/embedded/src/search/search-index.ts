import type { IndexedValue, MappingView, SearchSide, StoredDoc } from '../contracts.js';

/** A visible document with its position in index order (`_doc` sort, final tie-break). */
export interface Entry {
  readonly doc: StoredDoc;
  readonly ord: number;
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

interface FieldStats {
  docs: number;
  terms: number;
}

const maxSortCaches = 8;

/**
 * The refreshed (searchable) state of one index: documents, per-field inverted indexes
 * (value → ids) for candidate selection, field length statistics for scoring, and cached sort
 * orders that are merged incrementally on refresh instead of re-sorted.
 */
export class SearchIndex implements SearchSide {
  readonly mapping: MappingView;
  readonly entries = new Map<string, Entry>();
  readonly postings = new Map<string, Map<IndexedValue, Set<string>>>();
  private readonly stats = new Map<string, FieldStats>();
  private readonly sortCaches = new Map<string, SortCache>();
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
    for (const [id, doc] of changes) {
      const old = this.entries.get(id);
      if (old) this.unindex(old);
      if (doc === null) {
        this.entries.delete(id);
        continue;
      }
      const e: Entry = { doc, ord: this.nextOrd++ };
      this.entries.set(id, e);
      this.indexEntry(e);
      added.push(e);
    }
    for (const cache of this.sortCaches.values()) mergeInto(cache, changes, added);
  }

  /** Ids holding `value` in `field` (shared set: do not mutate). */
  postingsFor(field: string, value: IndexedValue): ReadonlySet<string> | undefined {
    return this.postings.get(field)?.get(value);
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
      if (this.sortCaches.size > maxSortCaches) this.evictOldestCache();
    }
    cache.lastUsed = ++this.useCounter;
    return cache.sorted;
  }

  private evictOldestCache(): void {
    let oldest: string | undefined;
    let min = Infinity;
    for (const [k, c] of this.sortCaches) {
      if (c.lastUsed < min) {
        min = c.lastUsed;
        oldest = k;
      }
    }
    if (oldest !== undefined) this.sortCaches.delete(oldest);
  }

  private indexEntry(e: Entry): void {
    for (const [field, values] of e.doc.fields) {
      let byValue = this.postings.get(field);
      if (!byValue) this.postings.set(field, (byValue = new Map()));
      for (const v of values) {
        let ids = byValue.get(v);
        if (!ids) byValue.set(v, (ids = new Set()));
        ids.add(e.doc.id);
      }
      const s = this.stats.get(field) ?? { docs: 0, terms: 0 };
      s.docs++;
      s.terms += values.length;
      this.stats.set(field, s);
    }
  }

  private unindex(e: Entry): void {
    for (const [field, values] of e.doc.fields) {
      const byValue = this.postings.get(field);
      if (byValue) {
        for (const v of values) {
          const ids = byValue.get(v);
          if (!ids) continue;
          ids.delete(e.doc.id);
          if (ids.size === 0) byValue.delete(v);
        }
      }
      const s = this.stats.get(field);
      if (s) {
        s.docs--;
        s.terms -= values.length;
      }
    }
  }
}

/** Drop changed entries and merge the (sorted) new ones in: O(n + k log k) per refresh. */
function mergeInto(cache: SortCache, changes: ReadonlyMap<string, StoredDoc | null>, added: readonly Entry[]): void {
  const fresh = added.map((e) => ({ e, k: cache.extract(e) }));
  fresh.sort(cache.compare);
  const old = cache.sorted;
  const out: Decorated[] = [];
  let j = 0;
  for (const d of old) {
    if (changes.has(d.e.doc.id)) continue;
    while (j < fresh.length) {
      const f = fresh[j];
      if (f === undefined || cache.compare(f, d) >= 0) break;
      out.push(f);
      j++;
    }
    out.push(d);
  }
  for (; j < fresh.length; j++) {
    const f = fresh[j];
    if (f !== undefined) out.push(f);
  }
  cache.sorted = out;
}

export function createSearchSide(mapping: MappingView): SearchIndex {
  return new SearchIndex(mapping);
}
