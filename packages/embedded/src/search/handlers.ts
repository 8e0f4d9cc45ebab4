import type { EngineRequest, EngineResponse, StoreAccess } from '../contracts.js';
import { SearchIndex } from './search-index.js';

export async function handleSearch(store: StoreAccess, _req: EngineRequest, target: string | undefined): Promise<EngineResponse> {
  const hits: unknown[] = [];
  const handles = store.resolve(target);
  for (const h of handles) {
    if (!(h.searchSide instanceof SearchIndex)) continue;
    for (const d of h.searchSide.docs.values()) hits.push({ _index: d.index, _id: d.id, _score: 1, _source: d.source });
  }
  return {
    status: 200,
    body: {
      took: 0,
      timed_out: false,
      _shards: { total: handles.length, successful: handles.length, skipped: 0, failed: 0 },
      hits: { total: { value: hits.length, relation: 'eq' }, max_score: hits.length ? 1 : null, hits: hits.slice(0, 10) },
    },
  };
}

export async function handleCount(store: StoreAccess, _req: EngineRequest, target: string | undefined): Promise<EngineResponse> {
  const handles = store.resolve(target);
  let count = 0;
  for (const h of handles) count += h.searchSide.size;
  return { status: 200, body: { count, _shards: { total: handles.length, successful: handles.length, skipped: 0, failed: 0 } } };
}

export async function handleDeleteByQuery(_store: StoreAccess, _req: EngineRequest, _target: string | undefined): Promise<EngineResponse> {
  return { status: 501, body: { error: 'not implemented yet' } };
}
