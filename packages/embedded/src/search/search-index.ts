import type { MappingView, SearchSide, StoredDoc } from '../contracts.js';

/** Refreshed (searchable) documents of one index. */
export class SearchIndex implements SearchSide {
  readonly mapping: MappingView;
  readonly docs = new Map<string, StoredDoc>();

  constructor(mapping: MappingView) {
    this.mapping = mapping;
  }

  applyRefresh(changes: ReadonlyMap<string, StoredDoc | null>): void {
    for (const [id, doc] of changes) {
      if (doc === null) this.docs.delete(id);
      else this.docs.set(id, doc);
    }
  }

  get size(): number {
    return this.docs.size;
  }
}

export function createSearchSide(mapping: MappingView): SearchIndex {
  return new SearchIndex(mapping);
}
