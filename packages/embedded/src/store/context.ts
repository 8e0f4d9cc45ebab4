import type { EngineRequest, EngineResponse, StoredDoc } from '../contracts.js';
import { filterSource } from '../search/source-filter.js';
import type { SourceSpec } from '../search/source-filter.js';
import type { IndexState, WriteShards } from './index-state.js';
import type { Params } from './request.js';
import type { Store } from './store.js';
import { illegalArgument } from './store-errors.js';

/** What a route handler gets. */
export interface Ctx {
  readonly req: EngineRequest;
  readonly params: Params;
  readonly store: Store;
  /** Durability: awaited after mutations, before answering; undefined when there is nothing to wait for (no journal). */
  commit(): Promise<void> | undefined;
}

export type Handler = (ctx: Ctx, parts: Readonly<Record<string, string>>) => Promise<EngineResponse> | EngineResponse;

export function ok(body: unknown, status = 200): EngineResponse {
  return { status, body };
}

/** `_shards` of a write: one primary plus the configured replicas, none of which exist on one node. */
export function writeShards(idx: IndexState): WriteShards {
  return idx.writeShards;
}

/** `_shards` of a noop update: nothing was written anywhere. */
export const noopShards: WriteShards = Object.freeze({ total: 0, successful: 0, failed: 0 });

export type RefreshPolicy = 'none' | 'immediate' | 'wait_for';

export function refreshPolicy(p: Params): RefreshPolicy {
  const v = p.str('refresh');
  if (v === undefined || v === 'false') return 'none';
  if (v === '' || v === 'true') return 'immediate';
  if (v === 'wait_for') return 'wait_for';
  throw illegalArgument(`Unknown value for refresh: [${v}].`);
}

/** `_source` / `_source_includes` / `_source_excludes` parameters (query string). */
export function sourceParams(p: Params): SourceSpec {
  const raw = p.str('_source');
  const includes = p.list('_source_includes') ?? p.list('_source_include') ?? [];
  const excludes = p.list('_source_excludes') ?? p.list('_source_exclude') ?? [];
  if (raw === 'false') return { fetch: false, includes: [], excludes: [] };
  if (raw === undefined || raw === 'true' || raw === '') return { fetch: true, includes, excludes };
  return { fetch: true, includes: [...raw.split(',').filter((s) => s !== ''), ...includes], excludes };
}

/** `_source` as given in a JSON body (bool, string, array or {includes, excludes}). */
export function sourceFromJson(v: unknown, fallback: SourceSpec): SourceSpec {
  if (v === undefined || v === null) return fallback;
  if (v === false || v === 'false') return { fetch: false, includes: [], excludes: [] };
  if (v === true || v === 'true') return { fetch: true, includes: [], excludes: [] };
  if (typeof v === 'string') return { fetch: true, includes: v.split(','), excludes: [] };
  if (Array.isArray(v)) return { fetch: true, includes: v.map(String), excludes: [] };
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const list = (x: unknown): string[] => (x === undefined ? [] : Array.isArray(x) ? x.map(String) : [String(x)]);
    return { fetch: true, includes: list(o['includes'] ?? o['include']), excludes: list(o['excludes'] ?? o['exclude']) };
  }
  return fallback;
}

/** The body of a found document (GET, mget item, update `get`). */
export function docBody(doc: StoredDoc, spec: SourceSpec, withMeta = true): Record<string, unknown> {
  const out: Record<string, unknown> = withMeta ? { _index: doc.index, _id: doc.id, _version: doc.version } : {};
  out['_seq_no'] = doc.seqNo;
  out['_primary_term'] = doc.primaryTerm;
  out['found'] = true;
  if (spec.fetch) out['_source'] = filterSource(doc.source, spec);
  return out;
}
