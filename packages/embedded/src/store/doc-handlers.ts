import { randomBytes } from 'node:crypto';
import type { EngineResponse, StoredDoc } from '../contracts.js';
import { EsError, esError } from '../errors.js';
import type { Ctx } from './context.js';
import { docBody, noopShards, ok, refreshPolicy, sourceFromJson, sourceParams, writeShards } from './context.js';
import type { RefreshPolicy } from './context.js';
import type { SourceSpec } from '../search/source-filter.js';
import { deleteOp, indexOp, parseUpdateBody, parseVersionType, updateOp, validateConditions } from './doc-ops.js';
import type { WriteConditions, WriteResult } from './doc-ops.js';
import type { IndexState } from './index-state.js';
import { bodyText, isObject, parseJson } from './request.js';
import type { Params } from './request.js';
import { documentParsing, validationFailed, versionConflict } from './store-errors.js';

/** Single-document APIs: index/create, get/exists, _source, delete, update. */

/** 20-character base64url ids, the length and alphabet of Elasticsearch's auto-generated ids. */
export function autoId(): string {
  return randomBytes(15).toString('base64url');
}

export function checkId(id: string): void {
  const len = Buffer.byteLength(id, 'utf8');
  if (len > 512) throw validationFailed([`id [${id}] is too long, must be no longer than 512 bytes but was: ${len}`]);
}

export function conditions(p: Params): WriteConditions {
  return {
    ifSeqNo: p.long('if_seq_no'),
    ifPrimaryTerm: p.long('if_primary_term'),
    version: p.long('version'),
    versionType: parseVersionType(p.str('version_type')),
  };
}

/** Parse a document source (raw JSON text); errors are document parsing failures, as in Elasticsearch. */
export function parseSource(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') throw validationFailed(['source is missing']);
  let v: unknown;
  try {
    v = parseJson(text);
  } catch (e) {
    const cause = e instanceof EsError ? e.cause_ : { type: 'json_parse_exception', reason: String(e) };
    throw documentParsing('[1:1] failed to parse', { type: 'json_parse_exception', reason: String(cause['caused_by'] && isObject(cause['caused_by']) ? cause['caused_by']['reason'] : cause.reason) });
  }
  if (!isObject(v)) throw documentParsing('[1:1] failed to parse: Root document must be an object', undefined);
  return v;
}

export function writeBody(r: WriteResult, forced: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    _index: r.index.name,
    _id: r.id,
    _version: r.version,
    result: r.result,
  };
  if (forced) body['forced_refresh'] = true;
  body['_shards'] = r.result === 'noop' ? noopShards : writeShards(r.index);
  body['_seq_no'] = r.seqNo;
  body['_primary_term'] = r.primaryTerm;
  return body;
}

/** Apply the `refresh` policy after a write; returns whether a refresh was forced. */
export async function afterWrite(idx: IndexState, seqNo: number, policy: RefreshPolicy): Promise<boolean> {
  if (policy === 'immediate') {
    idx.refresh();
    return true;
  }
  if (policy === 'wait_for') await idx.waitForRefresh(seqNo);
  return false;
}

/**
 * Answer a single-document write once it is durable and as visible as `policy` asks. Synchronous
 * when nothing is to be waited for (no journal, no `wait_for`), the common in-memory case.
 */
export function finishWrite(
  ctx: Ctx,
  r: WriteResult,
  policy: RefreshPolicy,
  decorate?: (body: Record<string, unknown>) => void,
): EngineResponse | Promise<EngineResponse> {
  const answer = (forced: boolean): EngineResponse => {
    const body = writeBody(r, forced);
    decorate?.(body);
    return ok(body, r.status);
  };
  // a noop changed nothing: no commit and no refresh wait, as Elasticsearch
  if (r.result === 'noop') return answer(false);
  const pending = ctx.commit();
  if (pending === undefined && policy !== 'wait_for') {
    if (policy === 'immediate') r.index.refresh();
    return answer(policy === 'immediate');
  }
  return (async () => {
    await pending;
    return answer(await afterWrite(r.index, r.seqNo, policy));
  })();
}

const writeParams = ['timeout', 'wait_for_active_shards', 'routing', 'pipeline', 'require_alias', 'require_data_stream', 'include_source_on_error', 'list_executed_pipelines'];

export function handleIndex(ctx: Ctx, parts: Readonly<Record<string, string>>, forceCreate: boolean): EngineResponse | Promise<EngineResponse> {
  const p = ctx.params;
  p.accept(...writeParams);
  const given = parts['id'];
  const opTypeParam = p.str('op_type');
  if (opTypeParam !== undefined && opTypeParam !== 'index' && opTypeParam !== 'create') {
    throw esError(400, 'illegal_argument_exception', `opType must be 'create' or 'index', found: [${opTypeParam}]`);
  }
  const c = conditions(p);
  const policy = refreshPolicy(p);
  const noAutoCreate = p.bool('no_auto_create', false);
  p.done();
  const opType = forceCreate || opTypeParam === 'create' ? 'create' : 'index';
  validateConditions(c, opType);
  const id = given ?? autoId();
  checkId(id);
  if (given === '') throw validationFailed(['id is missing']);
  const source = parseSource(bodyText(ctx.req));
  const idx = noAutoCreate ? ctx.store.get(parts['index'] ?? '') : ctx.store.autoCreate(parts['index'] ?? '');
  return finishWrite(ctx, indexOp(idx, id, source, opType, c), policy);
}

/** Real-time GET of the live document, or the refreshed one with `realtime=false`. */
export function lookup(idx: IndexState, id: string, realtime: boolean): StoredDoc | undefined {
  return realtime ? idx.getLive(id) : idx.searchSide.entries.get(id)?.doc;
}

function checkGetVersion(idx: IndexState, id: string, doc: StoredDoc | undefined, p: Params): void {
  const version = p.long('version');
  const vt = parseVersionType(p.str('version_type'));
  if (version === undefined || !doc) return;
  const bad = vt === 'external' || vt === 'external_gte' ? doc.version !== version : doc.version !== version;
  if (bad) throw versionConflict(idx.name, idx.uuid, `[${id}]: version conflict, current version [${doc.version}] is different than the one provided [${version}]`);
}

export function handleGet(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  p.accept('routing', 'preference');
  const spec = sourceParams(p);
  const stored = p.list('stored_fields');
  const realtime = p.bool('realtime', true);
  const refresh = p.bool('refresh', false);
  const idx = ctx.store.get(parts['index'] ?? '');
  const id = parts['id'] ?? '';
  const doc = lookupAfterRefresh(idx, id, realtime, refresh);
  checkGetVersion(idx, id, doc, p);
  p.done();
  if (!doc) return ok({ _index: idx.name, _id: id, found: false }, 404);
  // stored_fields without _source asked for: only stored fields (none are stored here), no _source
  const noSource = !idx.mapping.sourceEnabled || (stored !== undefined && p.str('_source') === undefined);
  const body = docBody(doc, noSource ? { fetch: false, includes: [], excludes: [] } : spec);
  return ok(body);
}

function lookupAfterRefresh(idx: IndexState, id: string, realtime: boolean, refresh: boolean): StoredDoc | undefined {
  if (refresh) idx.refresh();
  return lookup(idx, id, realtime);
}

export function handleGetSource(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  p.accept('routing', 'preference', 'stored_fields');
  const spec = sourceParams(p);
  const realtime = p.bool('realtime', true);
  const refresh = p.bool('refresh', false);
  const idx = ctx.store.get(parts['index'] ?? '');
  const id = parts['id'] ?? '';
  const doc = lookupAfterRefresh(idx, id, realtime, refresh);
  checkGetVersion(idx, id, doc, p);
  p.done();
  if (!doc) throw esError(404, 'resource_not_found_exception', `Document not found [${idx.name}]/[${id}]`);
  if (!idx.mapping.sourceEnabled) throw esError(404, 'resource_not_found_exception', `Source not found [${idx.name}]/[${id}]`);
  const body = docBody(doc, spec)['_source'];
  return ok(body ?? {});
}

export function handleDelete(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse | Promise<EngineResponse> {
  const p = ctx.params;
  p.accept('timeout', 'wait_for_active_shards', 'routing');
  const c = conditions(p);
  const policy = refreshPolicy(p);
  p.done();
  validateConditions(c, 'delete');
  const idx = ctx.store.get(parts['index'] ?? '');
  return finishWrite(ctx, deleteOp(idx, parts['id'] ?? '', c), policy);
}

export function handleUpdate(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse | Promise<EngineResponse> {
  const p = ctx.params;
  p.accept('timeout', 'wait_for_active_shards', 'routing', 'lang', 'require_alias', 'include_source_on_error');
  const c = conditions(p);
  const retries = p.int('retry_on_conflict');
  if (retries !== undefined && retries < 0) throw validationFailed([`retry_on_conflict must be greater than or equal to 0`]);
  const policy = refreshPolicy(p);
  const qSpec = sourceParams(p);
  const sourceAsked = p.has('_source') || p.has('_source_includes') || p.has('_source_excludes');
  p.done();
  validateConditions(c, 'update');
  const text = bodyText(ctx.req);
  if (text === undefined) throw validationFailed(['script or doc is missing']);
  const spec = parseUpdateBody(parseJson(text));
  const idx = ctx.store.autoCreate(parts['index'] ?? '');
  const id = parts['id'] ?? '';
  checkId(id);
  const r = updateOp(idx, id, spec, c);
  const src = sourceFromJson(spec.source, sourceAsked ? qSpec : noSource);
  const doc = r.doc;
  return finishWrite(ctx, r, policy, src.fetch && doc ? (body) => (body['get'] = docBody(doc, src, false)) : undefined);
}

const noSource: SourceSpec = { fetch: false, includes: [], excludes: [] };
