/**
 * A hand-built store for search tests: real SearchIndex instances fed with StoredDocs whose
 * indexed fields are computed here the way the store computes them (analysis.ts for text,
 * epoch ms for dates). Only used until tests can go through Engine.handle.
 */
import { analyze } from '../src/analysis.js';
import type { EngineRequest, EngineResponse, FieldType, IndexedValue, IndexHandle, MappingView, ResolvedField, StoreAccess, StoredDoc } from '../src/contracts.js';
import { esError } from '../src/errors.js';
import { parseDate } from '../src/search/date.js';
import { SearchIndex, handleCount, handleDeleteByQuery, handleSearch } from '../src/search/index.js';

export type FieldDef = FieldType | { type: FieldType; format?: string; copyOf?: string; docValues?: boolean };

function valueAt(src: unknown, path: string): unknown[] {
  const parts = path.split('.');
  let cur: unknown[] = [src];
  for (const p of parts) {
    const next: unknown[] = [];
    for (const c of cur) {
      const items = Array.isArray(c) ? c : [c];
      for (const it of items) {
        if (it !== null && typeof it === 'object' && p in it) next.push((it as Record<string, unknown>)[p]);
      }
    }
    cur = next;
  }
  return cur.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v !== null && v !== undefined);
}

export class TestIndex implements IndexHandle {
  readonly uuid: string;
  readonly mapping: MappingView;
  readonly searchSide: SearchIndex;
  readonly live = new Map<string, StoredDoc>();
  private pending = new Map<string, StoredDoc | null>();
  private seq = 0;
  private readonly fields: Map<string, ResolvedField & { copyOf?: string }>;

  constructor(readonly name: string, defs: Record<string, FieldDef>) {
    this.uuid = `uuid-${name}`;
    this.fields = new Map(
      Object.entries(defs).map(([path, d]) => {
        const def = typeof d === 'string' ? { type: d } : d;
        const f: ResolvedField & { copyOf?: string } = {
          path,
          type: def.type,
          searchable: true,
          docValues: def.docValues ?? def.type !== 'text',
          ...(def.format !== undefined ? { format: def.format } : {}),
          ...(def.copyOf !== undefined ? { copyOf: def.copyOf } : {}),
        };
        return [path, f];
      }),
    );
    const fields = this.fields;
    this.mapping = { field: (p) => fields.get(p), fieldPaths: () => fields.keys() };
    this.searchSide = new SearchIndex(this.mapping);
  }

  put(id: string, source: Record<string, unknown>): StoredDoc {
    const prev = this.live.get(id);
    const fields = new Map<string, IndexedValue[]>();
    for (const f of this.fields.values()) {
      const raw = valueAt(source, f.copyOf ?? f.path);
      const vals: IndexedValue[] = [];
      for (const v of raw) {
        switch (f.type) {
          case 'text': vals.push(...analyze(String(v))); break;
          case 'keyword': vals.push(String(v)); break;
          case 'boolean': vals.push(v === true || v === 'true'); break;
          case 'date': {
            const t = parseDate(v, f.format);
            if (t === undefined) throw new Error(`bad date ${String(v)}`);
            vals.push(t);
            break;
          }
          default: vals.push(Number(v));
        }
      }
      if (vals.length) fields.set(f.path, vals);
    }
    const doc: StoredDoc = { index: this.name, id, source, seqNo: this.seq++, primaryTerm: 1, version: (prev?.version ?? 0) + 1, fields };
    this.live.set(id, doc);
    this.pending.set(id, doc);
    return doc;
  }

  remove(id: string): void {
    this.live.delete(id);
    this.pending.set(id, null);
    this.seq++;
  }

  getLive(id: string): StoredDoc | undefined {
    return this.live.get(id);
  }

  deleteIfMatch(id: string, seqNo: number, primaryTerm: number): 'deleted' | 'conflict' | 'missing' {
    const d = this.live.get(id);
    if (!d) return 'missing';
    if (d.seqNo !== seqNo || d.primaryTerm !== primaryTerm) return 'conflict';
    this.remove(id);
    return 'deleted';
  }

  refresh(): void {
    const changes = this.pending;
    this.pending = new Map();
    this.searchSide.applyRefresh(changes);
  }
}

export class TestStore implements StoreAccess {
  readonly indices = new Map<string, TestIndex>();
  clock = Date.UTC(2024, 0, 15, 12, 0, 0);

  add(name: string, defs: Record<string, FieldDef>): TestIndex {
    const idx = new TestIndex(name, defs);
    this.indices.set(name, idx);
    return idx;
  }

  resolve(expression: string | undefined, options?: { ignoreUnavailable?: boolean; allowNoIndices?: boolean }): IndexHandle[] {
    if (expression === undefined || expression === '_all' || expression === '*') return [...this.indices.values()];
    const out: IndexHandle[] = [];
    for (const part of expression.split(',')) {
      if (part.includes('*')) {
        const re = new RegExp(`^${part.split('*').join('.*')}$`);
        for (const [n, i] of this.indices) if (re.test(n)) out.push(i);
      } else {
        const i = this.indices.get(part);
        if (i) out.push(i);
        else if (!options?.ignoreUnavailable) {
          throw esError(404, 'index_not_found_exception', `no such index [${part}]`, { 'resource.type': 'index_or_alias', 'resource.id': part, index: part });
        }
      }
    }
    return out;
  }

  now(): number {
    return this.clock;
  }

  async commit(): Promise<void> {}
}

export function request(method: EngineRequest['method'], path: string, body?: unknown, query: Record<string, string> = {}): EngineRequest {
  return { method, path, query, headers: {}, body: body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

export interface Json {
  [k: string]: unknown;
}

function asJson(r: EngineResponse): { status: number; body: Json } {
  return { status: r.status, body: r.body as Json };
}

export async function search(store: StoreAccess, target: string | undefined, body?: unknown, query: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  return asJson(await handleSearch(store, request('POST', target ? `/${target}/_search` : '/_search', body, query), target));
}

export async function count(store: StoreAccess, target: string | undefined, body?: unknown, query: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  return asJson(await handleCount(store, request('POST', target ? `/${target}/_count` : '/_count', body, query), target));
}

export async function deleteByQuery(store: StoreAccess, target: string, body?: unknown, query: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  return asJson(await handleDeleteByQuery(store, request('POST', `/${target}/_delete_by_query`, body, query), target));
}

/** hits.hits[]._id of a search response. */
export function ids(body: Json): string[] {
  const hits = (body.hits as { hits: { _id: string }[] }).hits;
  return hits.map((h) => h._id);
}

export function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
