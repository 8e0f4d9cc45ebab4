import { randomBytes } from 'node:crypto';
import type { EngineRequest, EngineResponse, IndexHandle, JournalRecord, RequestKind, ResolveOptions, StoreAccess } from './contracts.js';
import { EsError } from './errors.js';
import { handleCount, handleDeleteByQuery, handleSearch } from './search/index.js';
import { handleBulk } from './store/bulk.js';
import { handleCapabilities, handleHealth, handleInfo } from './store/cluster-handlers.js';
import type { Ctx } from './store/context.js';
import { handleDelete, handleGet, handleGetSource, handleIndex, handleUpdate } from './store/doc-handlers.js';
import { applyFilterPath } from './store/filter-path.js';
import {
  handleCreateIndex, handleDeleteIndex, handleDeleteTemplate, handleExists, handleGetIndex, handleGetMapping, handleGetSettings,
  handlePutMapping, handlePutSettings, handlePutTemplate, handleRefresh, handleGetTemplate,
} from './store/index-handlers.js';
import { handleMget } from './store/mget.js';
import { checkDelay, validate, withDefaults } from './store/options.js';
import type { EngineOptions, ResolvedEngineOptions } from './store/options.js';
import { Params } from './store/request.js';
import { matchRoute, MethodNotAllowed } from './store/routes.js';
import type { Matched, RouteName } from './store/routes.js';
import { Store } from './store/store.js';

const productHeaders: Readonly<Record<string, string>> = Object.freeze({ 'x-elastic-product': 'Elasticsearch' });

/**
 * The embedded Elasticsearch-compatible engine: routes REST requests to the store (indices,
 * documents, bulk, mget, refresh) and to search, journals mutations, and answers with
 * Elasticsearch's bodies, status codes and errors. Transports (HTTP, in-process) call `handle`.
 */
export class Engine implements StoreAccess {
  readonly options: ResolvedEngineOptions;
  private readonly store: Store;
  private readonly clusterUuid = randomBytes(16).toString('base64url').slice(0, 22);
  private refreshDelay: number;
  private replaying = false;
  /** Transports classify a request and then handle it: the route found by `classify` is reused once. */
  private lastMatch: { readonly req: EngineRequest; readonly m: Matched } | undefined;
  private readonly commitHook = (): Promise<void> | undefined => this.commitIfJournaled();

  constructor(options?: EngineOptions) {
    this.options = validate(withDefaults(options));
    this.refreshDelay = this.options.refreshDelayMs;
    const journal = this.options.journal;
    const clock = this.options.clock;
    const delay = (): number => this.refreshDelay;
    this.store = new Store({
      record: (rec: JournalRecord) => {
        if (!this.replaying) journal?.append(rec);
      },
      journaling: journal !== undefined,
      defaultRefreshIntervalMs: this.options.defaultRefreshIntervalMs,
      get refreshDelayMs() {
        return delay();
      },
      now: () => clock(),
    });
  }

  /** Fault injection: delay every scheduled refresh by `ms` more from now on. */
  setRefreshDelay(ms: number): void {
    checkDelay('refreshDelayMs', ms);
    this.refreshDelay = ms;
  }

  resolve(expression: string | undefined, options?: ResolveOptions): IndexHandle[] {
    return this.store.resolve(expression, options);
  }

  now(): number {
    return this.options.clock();
  }

  async commit(): Promise<void> {
    await this.options.journal?.commit();
  }

  /** The journal's commit, or undefined without a journal, so handlers skip an await per write. */
  private commitIfJournaled(): Promise<void> | undefined {
    return this.options.journal?.commit();
  }

  /** What a request does, without executing it (fault injection, metrics). */
  classify(req: EngineRequest): RequestKind {
    try {
      const m = matchRoute(req.method, req.path);
      this.lastMatch = { req, m };
      return m.route.kind;
    } catch {
      return 'other';
    }
  }

  /** Answer a request; never throws (errors become Elasticsearch error bodies). */
  async handle(req: EngineRequest): Promise<EngineResponse> {
    let res: EngineResponse;
    try {
      res = await this.dispatch(req);
    } catch (e) {
      res = errorResponse(e);
    }
    let body = res.body;
    const fp = req.query['filter_path'];
    if (fp !== undefined && fp !== '' && body !== undefined && body !== null && typeof body === 'object') body = applyFilterPath(body, fp);
    const headers = res.headers === undefined ? productHeaders : { ...productHeaders, ...res.headers };
    return { status: res.status, body: req.method === 'HEAD' ? undefined : body, headers };
  }

  /** Replay a journal record during recovery (not journaled again). */
  applyJournalRecord(rec: JournalRecord): void {
    this.replaying = true;
    try {
      this.store.apply(rec);
    } finally {
      this.replaying = false;
    }
  }

  /** The current state as journal records, for compaction. */
  snapshotRecords(): Iterable<JournalRecord> {
    return this.store.snapshot();
  }

  /** Stop every refresh timer and release `wait_for` waiters. */
  async close(): Promise<void> {
    this.store.close();
  }

  private dispatch(req: EngineRequest): Promise<EngineResponse> | EngineResponse {
    const last = this.lastMatch;
    this.lastMatch = undefined;
    const { route, parts } = last !== undefined && last.req === req ? last.m : matchRoute(req.method, req.path);
    const ctx: Ctx = { req, params: new Params(req), store: this.store, commit: this.commitHook };
    return this.run(route.name, ctx, parts);
  }

  private run(name: RouteName, ctx: Ctx, parts: Record<string, string>): Promise<EngineResponse> | EngineResponse {
    switch (name) {
      case 'info':
        return handleInfo(ctx, this.options, this.clusterUuid);
      case 'health':
        return handleHealth(ctx, parts, this.options);
      case 'capabilities':
        return handleCapabilities(ctx);
      case 'refresh':
        return handleRefresh(ctx, parts);
      case 'bulk':
        return handleBulk(ctx, parts);
      case 'mget':
        return handleMget(ctx, parts);
      case 'search':
        return handleSearch(this, ctx.req, parts['index']);
      case 'count':
        return handleCount(this, ctx.req, parts['index']);
      case 'delete_by_query':
        return handleDeleteByQuery(this, ctx.req, parts['index']);
      case 'get_mapping':
        return handleGetMapping(ctx, parts);
      case 'put_mapping':
        return handlePutMapping(ctx, parts);
      case 'get_settings':
        return handleGetSettings(ctx, parts);
      case 'put_settings':
        return handlePutSettings(ctx, parts);
      case 'get_template':
        return handleGetTemplate(ctx, parts);
      case 'put_template':
        return handlePutTemplate(ctx, parts);
      case 'delete_template':
        return handleDeleteTemplate(ctx, parts);
      case 'create_index':
        return handleCreateIndex(ctx, parts);
      case 'delete_index':
        return handleDeleteIndex(ctx, parts);
      case 'get_index':
        return handleGetIndex(ctx, parts);
      case 'exists_index':
        return handleExists(ctx, parts);
      case 'index_doc':
        return handleIndex(ctx, parts, false);
      case 'create_doc':
        return handleIndex(ctx, parts, true);
      case 'get_doc':
        return handleGet(ctx, parts);
      case 'delete_doc':
        return handleDelete(ctx, parts);
      case 'update_doc':
        return handleUpdate(ctx, parts);
      case 'get_source':
        return handleGetSource(ctx, parts);
    }
  }
}

function errorResponse(e: unknown): EngineResponse {
  if (e instanceof MethodNotAllowed) {
    return { status: 405, body: { error: e.message, status: 405 }, headers: { allow: e.allowed.join(',') } };
  }
  if (e instanceof EsError) return { status: e.status, body: e.toBody() };
  const reason = e instanceof Error ? e.message : String(e);
  const err = new EsError(500, { type: 'exception', reason });
  return { status: 500, body: err.toBody() };
}
