/**
 * Internal contracts between the parts of the embedded engine. Each part lives in its own folder
 * and is written against these types only:
 *
 * - store/    indices, mappings, documents, bulk, mget, refresh, the request router (Engine)
 * - search/   query DSL, field indexes, sort, search_after, aggregations, _search/_count/_delete_by_query
 * - io/       HTTP server, in-process client connection, auth, body limits, fault injection,
 *             durability (journal on a data dir)
 *
 * Nothing here has behaviour; changing a type here is a change to every part.
 */

/** A REST request as the engine sees it, whatever transport carried it. */
export interface EngineRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Path without query string, percent-decoding NOT applied (the router decodes segments). */
  readonly path: string;
  /** Query string parameters, already decoded. */
  readonly query: Readonly<Record<string, string>>;
  /** Raw body bytes (JSON or NDJSON) or undefined when there is none. */
  readonly body?: Buffer | undefined;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A REST response; `body` is serialized by the transport (JSON, or nothing for HEAD). */
export interface EngineResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a request does, for fault injection and metrics. */
export type RequestKind =
  | 'info'
  | 'cluster'
  | 'index_admin'
  | 'index'
  | 'get'
  | 'update'
  | 'delete'
  | 'bulk'
  | 'mget'
  | 'search'
  | 'count'
  | 'delete_by_query'
  | 'refresh'
  | 'other';

/** Field types the engine understands in mappings. */
export type FieldType =
  | 'keyword'
  | 'text'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'double'
  | 'float'
  | 'half_float'
  | 'scaled_float'
  | 'unsigned_long'
  | 'boolean'
  | 'date'
  | 'object'
  | 'flattened';

/**
 * A value as indexed for search, sort and aggregations ("doc values"): keyword and text terms are
 * strings, numbers are numbers, dates are epoch milliseconds, booleans are booleans.
 */
export type IndexedValue = string | number | boolean;

/** The mapping of one leaf field, resolved (multi-fields appear as their own dotted paths). */
export interface ResolvedField {
  readonly path: string;
  readonly type: FieldType;
  /** For `date`: the format string (default `strict_date_optional_time||epoch_millis`). */
  readonly format?: string;
  /** false when `index: false` (not searchable) */
  readonly searchable: boolean;
  /** false when `doc_values: false` or type text (not sortable/aggregatable) */
  readonly docValues: boolean;
}

/** Read-only view of an index's mapping, used by search. */
export interface MappingView {
  /** Resolve a leaf field path (including multi-fields like `name.keyword`). */
  field(path: string): ResolvedField | undefined;
  /** Every leaf field path, for wildcard field patterns (e.g. in `_source`, `exists`). */
  fieldPaths(): Iterable<string>;
}

/** One document's current state. Immutable once created: a write replaces the object. */
export interface StoredDoc {
  readonly index: string;
  readonly id: string;
  readonly source: Readonly<Record<string, unknown>>;
  readonly seqNo: number;
  readonly primaryTerm: number;
  readonly version: number;
  /**
   * Indexed values per leaf field path (including multi-fields), computed once at write time by
   * the mapping; absent paths have no values. Text fields hold their analyzed (lower-cased,
   * tokenized) terms.
   */
  readonly fields: DocFields;
}

/** A document's indexed values by leaf path (a `ReadonlyMap` of path to values qualifies). */
export interface DocFields {
  /** The values of one leaf path, or undefined when the document has none. */
  get(path: string): readonly IndexedValue[] | undefined;
  has(path: string): boolean;
  /** Every path that has values. */
  keys(): Iterable<string>;
  /** Every path that has values, with them. */
  forEach(fn: (values: readonly IndexedValue[], path: string) => void): void;
}

/**
 * The search side of one index. The store owns one per index and pushes the changes of each
 * refresh into it; searches only ever see what has been refreshed (near-real-time).
 */
export interface SearchSide {
  /** Apply a refresh: `null` means the document was deleted. */
  applyRefresh(changes: ReadonlyMap<string, StoredDoc | null>): void;
  /** Number of visible documents. */
  readonly size: number;
}

/** Durability hook. The engine appends each applied mutation and awaits `commit()` before acknowledging. */
export interface Journal {
  append(record: JournalRecord): void;
  /** Resolves when everything appended so far is as durable as the journal's mode promises. */
  commit(): Promise<void>;
  close(): Promise<void>;
}

export type JournalRecord =
  | { readonly op: 'create_index'; readonly index: string; readonly mappings: unknown; readonly settings: unknown }
  | { readonly op: 'delete_index'; readonly index: string }
  | { readonly op: 'put_mapping'; readonly index: string; readonly mappings: unknown }
  | { readonly op: 'put_settings'; readonly index: string; readonly settings: unknown }
  | {
      readonly op: 'put_doc';
      readonly index: string;
      readonly id: string;
      readonly source: unknown;
      readonly seqNo: number;
      readonly primaryTerm: number;
      readonly version: number;
    }
  | {
      readonly op: 'delete_doc';
      readonly index: string;
      readonly id: string;
      readonly seqNo: number;
      readonly primaryTerm: number;
      readonly version: number;
    }
  | { readonly op: 'put_template'; readonly name: string; readonly template: unknown }
  | { readonly op: 'delete_template'; readonly name: string };

/** How search reaches the store: owned by store/, consumed by search/. */
export interface IndexHandle {
  readonly name: string;
  readonly uuid: string;
  readonly mapping: MappingView;
  /** The index's search side, created by search/'s `createSearchSide` when the index is created. */
  readonly searchSide: SearchSide;
  /** Real-time lookup of the current (possibly unrefreshed) document. */
  getLive(id: string): StoredDoc | undefined;
  /**
   * Delete a document only if it is still at `seqNo`/`primaryTerm` (used by _delete_by_query).
   * Journaled like any delete; visible to search after the next refresh.
   */
  deleteIfMatch(id: string, seqNo: number, primaryTerm: number): 'deleted' | 'conflict' | 'missing';
  /** Make every write so far visible to search. */
  refresh(): void;
}

export interface ResolveOptions {
  readonly ignoreUnavailable?: boolean;
  readonly allowNoIndices?: boolean;
  readonly expandWildcards?: string;
}

export interface StoreAccess {
  /**
   * Resolve an index expression (comma list, `*` wildcards, `_all`, `-excluded`, or undefined for
   * all) the way Elasticsearch does; throws EsError 404 `index_not_found_exception` as it would.
   */
  resolve(expression: string | undefined, options?: ResolveOptions): IndexHandle[];
  /** The engine clock, epoch ms (for `now` in date math). */
  now(): number;
  /** Awaited after mutating requests, before answering (durability). */
  commit(): Promise<void>;
}
