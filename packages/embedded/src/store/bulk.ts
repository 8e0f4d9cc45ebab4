import type { EngineResponse } from '../contracts.js';
import { EsError, esError } from '../errors.js';
import type { Ctx } from './context.js';
import { docBody, ok, refreshPolicy, sourceFromJson, sourceParams } from './context.js';
import { autoId, checkId, parseSource, writeBody } from './doc-handlers.js';
import { deleteOp, indexOp, parseUpdateBody, parseVersionType, updateOp, validateConditions } from './doc-ops.js';
import type { WriteConditions, WriteResult } from './doc-ops.js';
import type { IndexState } from './index-state.js';
import { bodyText, isObject } from './request.js';
import type { SourceSpec } from '../search/source-filter.js';
import { illegalArgument, validationFailed } from './store-errors.js';

/** `_bulk`: NDJSON parsing with Elasticsearch's errors, then per-item execution and results. */

type Action = 'index' | 'create' | 'update' | 'delete';
const actions = new Set<string>(['index', 'create', 'update', 'delete']);
const metaKeys = new Set([
  '_index', '_id', 'routing', '_routing', 'if_seq_no', 'if_primary_term', 'version', 'version_type', '_version', '_version_type', 'op_type',
  'pipeline', 'require_alias', 'require_data_stream', 'retry_on_conflict', '_retry_on_conflict', '_source', 'dynamic_templates', 'list_executed_pipelines', '_type',
]);

interface Item {
  readonly action: Action;
  readonly index: string | undefined;
  readonly id: string | undefined;
  readonly cond: WriteConditions;
  /** Raw source line (index/create) or parsed update body. */
  readonly payload: string | undefined;
  readonly source: SourceSpec | undefined;
  readonly line: number;
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw illegalArgument(`failed to parse number [${String(v)}]`);
  return n;
}

const unconditional: WriteConditions = Object.freeze({});

function conditionsOf(m: Record<string, unknown>): WriteConditions {
  const { if_seq_no: seq, if_primary_term: term, version, _version, version_type: vt, _version_type: vt2 } = m;
  if (seq === undefined && term === undefined && version === undefined && _version === undefined && vt === undefined && vt2 === undefined) return unconditional;
  return {
    ifSeqNo: num(seq),
    ifPrimaryTerm: num(term),
    version: num(version ?? _version),
    versionType: parseVersionType((vt ?? vt2) as string | undefined),
  };
}

/** Lines of an NDJSON body without the empty string after its final newline. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    lines.push(text.slice(start, nl));
    start = nl + 1;
  }
  return lines;
}

/** `{action: body}` with a literal key: computed keys give every item object a slower shape. */
function wrap(action: Action, body: Record<string, unknown>): Record<string, unknown> {
  switch (action) {
    case 'index':
      return { index: body };
    case 'create':
      return { create: body };
    case 'update':
      return { update: body };
    case 'delete':
      return { delete: body };
  }
}

/**
 * The usual action line, `{"index":{"_index":"i","_id":"1"}}` (any action, `_index`/`_id` in any
 * order, either optional, plain strings without escapes), or a conditional write's with
 * `"if_seq_no":12,"if_primary_term":1` (plain non-negative integers), read without JSON.parse.
 * Anything else gives undefined and goes through JSON.parse, so results and errors are the same
 * either way.
 */
function simpleMeta(line: string): Record<string, Record<string, string | number>> | undefined {
  if (line.charCodeAt(0) !== 123 || line.charCodeAt(1) !== 34) return undefined;
  const nameEnd = line.indexOf('"', 2);
  if (nameEnd < 0 || !line.startsWith(':{', nameEnd + 1)) return undefined;
  const action = line.slice(2, nameEnd);
  if (!actions.has(action)) return undefined;
  const m: Record<string, string | number> = {};
  let at = nameEnd + 3;
  if (line.charCodeAt(at) !== 125) {
    for (;;) {
      if (line.charCodeAt(at) !== 34) return undefined;
      const keyEnd = line.indexOf('"', at + 1);
      if (keyEnd < 0 || line.charCodeAt(keyEnd + 1) !== 58) return undefined;
      const key = line.slice(at + 1, keyEnd);
      // a key seen twice is JSON.parse's to resolve (the last one wins)
      if (m[key] !== undefined) return undefined;
      if (key === 'if_seq_no' || key === 'if_primary_term') {
        let end = keyEnd + 2;
        while (end < line.length && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
        const digits = end - (keyEnd + 2);
        // leading zeros are invalid JSON; very long numbers lose precision either way, but let JSON.parse say so
        if (digits === 0 || digits > 15 || (digits > 1 && line.charCodeAt(keyEnd + 2) === 48)) return undefined;
        m[key] = Number(line.slice(keyEnd + 2, end));
        at = end;
      } else {
        if (line.charCodeAt(keyEnd + 2) !== 34) return undefined;
        if (key !== '_index' && key !== '_id') return undefined;
        const valEnd = line.indexOf('"', keyEnd + 3);
        if (valEnd < 0) return undefined;
        const value = line.slice(keyEnd + 3, valEnd);
        for (let k = 0; k < value.length; k++) {
          const c = value.charCodeAt(k);
          // escapes and raw control characters: leave both to JSON.parse
          if (c === 92 || c < 32) return undefined;
        }
        m[key] = value;
        at = valEnd + 1;
      }
      const c = line.charCodeAt(at);
      if (c === 125) break;
      if (c !== 44) return undefined;
      at++;
    }
  }
  if (at + 2 !== line.length || line.charCodeAt(at + 1) !== 125) return undefined;
  return { [action]: m };
}

/** `trim() === ''` without the copy for the usual line, which starts with `{`. */
function isBlank(line: string): boolean {
  return line.charCodeAt(0) !== 123 && line.trim() === '';
}

/** Split and parse the NDJSON body; request-level problems throw, like Elasticsearch. */
function parse(text: string, defaultIndex: string | undefined, defaultSource: SourceSpec | undefined): Item[] {
  if (!text.endsWith('\n')) throw illegalArgument('The bulk request must be terminated by a newline [\\n]');
  const lines = splitLines(text);
  const items: Item[] = [];
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (isBlank(raw)) continue;
    const lineNo = i + 1;
    let meta: unknown = simpleMeta(raw);
    if (meta === undefined) try {
      meta = JSON.parse(raw);
    } catch (e) {
      throw esError(400, 'x_content_parse_exception', `[${lineNo}:1] Malformed action/metadata line [${lineNo}]: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isObject(meta)) throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [${Array.isArray(meta) ? 'START_ARRAY' : 'VALUE_STRING'}]`);
    const keys = Object.keys(meta);
    const action = keys[0];
    if (action === undefined) throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected FIELD_NAME but found [END_OBJECT]`);
    if (!actions.has(action)) throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected one of [create, delete, index, update] but found [${action}]`);
    if (keys.length > 1) throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected END_OBJECT but found [FIELD_NAME]`);
    const m = meta[action];
    if (!isObject(m)) throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [${JSON.stringify(m)}]`);
    for (const k of Object.keys(m)) {
      if (!metaKeys.has(k)) throw illegalArgument(`Action/metadata line [${lineNo}] contains an unknown parameter [${k}]`);
    }
    if (m['_type'] !== undefined) throw illegalArgument(`Action/metadata line [${lineNo}] contains an unknown parameter [_type]`);
    const index = typeof m['_index'] === 'string' ? m['_index'] : defaultIndex;
    const id = m['_id'] === undefined || m['_id'] === null ? undefined : String(m['_id']);
    const cond = conditionsOf(m);
    let payload: string | undefined;
    if (action !== 'delete') {
      i++;
      if (i >= lines.length) throw illegalArgument('The bulk request must be terminated by a newline [\\n]');
      payload = lines[i];
    }
    let act = action as Action;
    if (act === 'index' && m['op_type'] === 'create') act = 'create';
    const n = items.length;
    if (index === undefined) problems.push('index is missing');
    if ((act === 'update' || act === 'delete') && (id === undefined || id === '')) problems.push('id is missing');
    if (act !== 'delete' && (payload === undefined || isBlank(payload))) problems.push(act === 'update' ? 'script or doc is missing' : 'source is missing');
    void n;
    items.push({
      action: act,
      index,
      id,
      cond,
      payload,
      source: act === 'update' ? sourceFromJson(m['_source'], defaultSource ?? { fetch: false, includes: [], excludes: [] }) : undefined,
      line: lineNo,
    });
  }
  if (problems.length) throw validationFailed(problems);
  if (items.length === 0) throw validationFailed(['no requests added']);
  return items;
}

function itemError(action: Action, index: string | undefined, id: string | undefined, e: unknown): Record<string, unknown> {
  const err = e instanceof EsError ? e : esError(500, 'exception', e instanceof Error ? e.message : String(e));
  return { [action]: { _index: index, _id: id ?? null, status: err.status, error: err.toItemError() } };
}

export async function handleBulk(ctx: Ctx, parts: Readonly<Record<string, string>>): Promise<EngineResponse> {
  const started = Date.now();
  const p = ctx.params;
  p.accept('timeout', 'wait_for_active_shards', 'routing', 'pipeline', 'require_alias', 'require_data_stream', 'list_executed_pipelines', 'include_source_on_error', 'type');
  const policy = refreshPolicy(p);
  const noItems = p.has('no_items_on_success') ? p.bool('no_items_on_success', false) : undefined;
  const asked = p.has('_source') || p.has('_source_includes') || p.has('_source_excludes');
  const defaultSource = asked ? sourceParams(p) : undefined;
  p.done();
  const text = bodyText(ctx.req);
  if (text === undefined) throw validationFailed(['no requests added']);
  const items = parse(text, parts['index'], defaultSource);
  const out: unknown[] = [];
  const touched = new Map<IndexState, number>();
  let errors = false;
  for (const it of items) {
    try {
      const { r, source } = execute(ctx, it);
      touched.set(r.index, Math.max(touched.get(r.index) ?? -1, r.seqNo));
      const body = writeBody(r, policy === 'immediate' && r.result !== 'noop');
      body['status'] = r.status;
      if (source?.fetch && r.doc) body['get'] = docBody(r.doc, source, false);
      if (r.status >= 400) errors = true;
      out.push(wrap(it.action, body));
    } catch (e) {
      errors = true;
      out.push(itemError(it.action, it.index, it.id, e));
    }
  }
  await ctx.commit();
  if (policy === 'immediate') for (const idx of touched.keys()) idx.refresh();
  else if (policy === 'wait_for') await Promise.all([...touched].map(([idx, seq]) => idx.waitForRefresh(seq)));
  if (noItems === undefined) return ok({ errors, took: Date.now() - started, items: out });
  const omit = noItems && !errors;
  return ok({ errors, took: Date.now() - started, items: omit ? [] : out, items_omitted: omit });
}

function execute(ctx: Ctx, it: Item): { r: WriteResult; source?: SourceSpec | undefined } {
  const indexName = it.index ?? '';
  switch (it.action) {
    case 'index':
    case 'create': {
      validateConditions(it.cond, it.action);
      if (it.id === '') throw illegalArgument('if _id is specified it must not be empty');
      const id = it.id ?? autoId();
      checkId(id);
      const source = parseSource(it.payload);
      return { r: indexOp(autoCreate(ctx, indexName), id, source, it.action, it.cond) };
    }
    case 'delete': {
      validateConditions(it.cond, 'delete');
      return { r: deleteOp(ctx.store.get(indexName), it.id ?? '', it.cond) };
    }
    case 'update': {
      validateConditions(it.cond, 'update');
      let body: unknown;
      try {
        body = JSON.parse(it.payload ?? '');
      } catch (e) {
        throw esError(400, 'x_content_parse_exception', `[${it.line + 1}:1] ${e instanceof Error ? e.message : String(e)}`);
      }
      const spec = parseUpdateBody(body);
      return { r: updateOp(autoCreate(ctx, indexName), it.id ?? '', spec, it.cond), source: sourceFromJson(spec.source, it.source ?? { fetch: false, includes: [], excludes: [] }) };
    }
  }
}

function autoCreate(ctx: Ctx, name: string): IndexState {
  return ctx.store.autoCreate(name);
}
