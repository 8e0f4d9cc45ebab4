import type { StoredDoc } from '../contracts.js';
import { esError } from '../errors.js';
import type { IndexState } from './index-state.js';
import { isObject } from './request.js';
import { documentMissing, illegalArgument, validationFailed, versionConflict } from './store-errors.js';

/**
 * The document write operations (index/create, delete, update) with Elasticsearch's conditional
 * semantics. Each runs synchronously from check to write, so concurrent requests cannot interleave
 * between them: exactly one conditional writer wins per sequence number.
 */

export type VersionType = 'internal' | 'external' | 'external_gte';

export interface WriteConditions {
  readonly ifSeqNo?: number | undefined;
  readonly ifPrimaryTerm?: number | undefined;
  readonly version?: number | undefined;
  readonly versionType?: VersionType | undefined;
}

export type WriteResultKind = 'created' | 'updated' | 'deleted' | 'not_found' | 'noop';

export interface WriteResult {
  readonly index: IndexState;
  readonly id: string;
  readonly result: WriteResultKind;
  readonly seqNo: number;
  readonly primaryTerm: number;
  readonly version: number;
  readonly status: number;
  /** The document after the write (index/update), for `_source` in update responses. */
  readonly doc?: StoredDoc | undefined;
}

export function parseVersionType(v: string | undefined): VersionType | undefined {
  if (v === undefined) return undefined;
  if (v === 'internal' || v === 'external' || v === 'external_gte') return v;
  if (v === 'force') throw illegalArgument('version type [force] may no longer be used');
  throw illegalArgument(`No version type match [${v}]`);
}

/** Request-level validation shared by single and bulk writes (Elasticsearch's validate()). */
export function validateConditions(c: WriteConditions, opType: 'index' | 'create' | 'delete' | 'update'): void {
  // unconditional internal-versioned writes (most writes) cannot break any rule below
  if (c.ifSeqNo === undefined && c.ifPrimaryTerm === undefined && c.version === undefined && c.versionType === undefined) return;
  const problems: string[] = [];
  const vt = c.versionType ?? 'internal';
  if (opType === 'create' && vt !== 'internal') problems.push('create operations only support internal versioning. use index instead');
  if (opType === 'create' && vt === 'internal' && c.version !== undefined) problems.push('create operations do not support explicit versions. use index instead');
  if (opType === 'create' && c.ifSeqNo !== undefined) problems.push('create operations do not support compare and set. use index instead');
  if (opType === 'update' && vt !== 'internal') problems.push(`version type [${vt}] is not supported by the update API`);
  if (c.version !== undefined && vt === 'internal' && opType !== 'create') {
    problems.push('internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead');
  }
  if (vt !== 'internal' && c.version === undefined) problems.push(`version type [${vt}] requires a version`);
  if (c.ifSeqNo !== undefined && (c.version !== undefined || vt !== 'internal')) problems.push('compare and write operations can not use versioning');
  if (c.ifSeqNo !== undefined && c.ifSeqNo < 0) problems.push(`ifSeqNo must be non negative`);
  if (c.ifSeqNo !== undefined && (c.ifPrimaryTerm ?? 0) <= 0) problems.push('ifSeqNo is set, but primary term is [0]');
  if (c.ifSeqNo === undefined && c.ifPrimaryTerm !== undefined && c.ifPrimaryTerm !== 0) {
    problems.push(`ifSeqNo is unassigned, but primary term is [${c.ifPrimaryTerm}]`);
  }
  if (c.version !== undefined && vt !== 'internal' && c.version < 0) problems.push('illegal version value [' + c.version + '] for version type [' + vt + ']');
  if (problems.length) throw validationFailed(problems);
}

function checkSeqNo(idx: IndexState, id: string, cur: StoredDoc | undefined, c: WriteConditions): void {
  if (c.ifSeqNo === undefined) return;
  if (!cur) throw versionConflict(idx.name, idx.uuid, `${seqNoRequired(id, c)} but no document was found`);
  if (cur.seqNo !== c.ifSeqNo || cur.primaryTerm !== c.ifPrimaryTerm) {
    throw versionConflict(idx.name, idx.uuid, `${seqNoRequired(id, c)} current document has seqNo [${cur.seqNo}] and primary term [${cur.primaryTerm}]`);
  }
}

/** The start of a failed compare-and-set's message, built only when it is thrown (every job transition is a conditional write). */
function seqNoRequired(id: string, c: WriteConditions): string {
  return `[${id}]: version conflict, required seqNo [${c.ifSeqNo}], primary term [${c.ifPrimaryTerm ?? 0}].`;
}

/** Version after an external-versioned write, or the conflict Elasticsearch reports. */
function externalVersion(idx: IndexState, id: string, currentVersion: number | undefined, c: WriteConditions): number | undefined {
  if (c.versionType !== 'external' && c.versionType !== 'external_gte') return undefined;
  const wanted = c.version ?? 0;
  if (currentVersion !== undefined) {
    if (c.versionType === 'external' && wanted <= currentVersion) {
      throw versionConflict(idx.name, idx.uuid, `[${id}]: version conflict, current version [${currentVersion}] is higher or equal to the one provided [${wanted}]`);
    }
    if (c.versionType === 'external_gte' && wanted < currentVersion) {
      throw versionConflict(idx.name, idx.uuid, `[${id}]: version conflict, current version [${currentVersion}] is higher than the one provided [${wanted}]`);
    }
  }
  return wanted;
}

export function indexOp(idx: IndexState, id: string, source: Record<string, unknown>, opType: 'index' | 'create', c: WriteConditions): WriteResult {
  const cur = idx.getLive(id);
  if (opType === 'create' && cur) {
    throw versionConflict(idx.name, idx.uuid, `[${id}]: version conflict, document already exists (current version [${cur.version}])`);
  }
  checkSeqNo(idx, id, cur, c);
  const prevVersion = cur !== undefined ? cur.version : idx.tombstone(id)?.version;
  const version = externalVersion(idx, id, prevVersion, c) ?? (prevVersion ?? 0) + 1;
  const doc = idx.put(id, source, version);
  const created = cur === undefined;
  return { index: idx, id, result: created ? 'created' : 'updated', seqNo: doc.seqNo, primaryTerm: doc.primaryTerm, version, status: created ? 201 : 200, doc };
}

export function deleteOp(idx: IndexState, id: string, c: WriteConditions): WriteResult {
  const cur = idx.getLive(id);
  checkSeqNo(idx, id, cur, c);
  const tomb = idx.tombstone(id);
  const ext = externalVersion(idx, id, cur?.version ?? tomb?.version, c);
  const version = ext ?? (cur ? cur.version + 1 : (tomb?.version ?? 0) + 1);
  const r = idx.remove(id, version);
  return { index: idx, id, result: cur ? 'deleted' : 'not_found', seqNo: r.seqNo, primaryTerm: r.primaryTerm, version, status: cur ? 200 : 404 };
}

export interface UpdateSpec {
  readonly doc?: Record<string, unknown> | undefined;
  readonly upsert?: Record<string, unknown> | undefined;
  readonly docAsUpsert: boolean;
  readonly detectNoop: boolean;
  /** `_source` of the body (filtering of the returned document). */
  readonly source?: unknown;
}

const updateFields = new Set(['doc', 'upsert', 'doc_as_upsert', 'detect_noop', '_source', 'script', 'scripted_upsert', 'lang', 'params']);

/** Parse and validate an update body (as UpdateRequest's parser does). */
export function parseUpdateBody(body: unknown): UpdateSpec {
  if (!isObject(body)) throw esError(400, 'action_request_validation_exception', 'Validation Failed: 1: script or doc is missing;');
  for (const k of Object.keys(body)) {
    if (!updateFields.has(k)) throw esError(400, 'x_content_parse_exception', `[1:2] [UpdateRequest] unknown field [${k}]${didYouMean(k, updateFields)}`);
  }
  if (body['script'] !== undefined) {
    // the engine has no scripting: answer like a cluster where scripts are disabled
    const type = isObject(body['script']) && body['script']['id'] !== undefined ? 'stored' : 'inline';
    throw illegalArgument('failed to execute script', { caused_by: { type: 'illegal_argument_exception', reason: `cannot execute [${type}] scripts` } });
  }
  const doc = body['doc'];
  const upsert = body['upsert'];
  if (doc !== undefined && !isObject(doc)) throw esError(400, 'x_content_parse_exception', '[1:8] [UpdateRequest] failed to parse field [doc]');
  if (upsert !== undefined && !isObject(upsert)) throw esError(400, 'x_content_parse_exception', '[1:11] [UpdateRequest] failed to parse field [upsert]');
  if (doc === undefined) throw esError(400, 'action_request_validation_exception', 'Validation Failed: 1: script or doc is missing;');
  const docAsUpsert = body['doc_as_upsert'] === true || body['doc_as_upsert'] === 'true';
  if (docAsUpsert && upsert !== undefined) {
    throw esError(400, 'action_request_validation_exception', 'Validation Failed: 1: upsert requests don\'t support `doc_as_upsert`;');
  }
  return {
    doc,
    upsert,
    docAsUpsert,
    detectNoop: body['detect_noop'] !== false && body['detect_noop'] !== 'false',
    source: body['_source'],
  };
}

export function updateOp(idx: IndexState, id: string, spec: UpdateSpec, c: WriteConditions): WriteResult {
  const cur = idx.getLive(id);
  if (!cur) {
    const initial = spec.upsert ?? (spec.docAsUpsert ? spec.doc : undefined);
    if (initial === undefined) throw documentMissing(idx.name, idx.uuid, id);
    checkSeqNo(idx, id, cur, c);
    return indexOp(idx, id, initial, 'create', {});
  }
  checkSeqNo(idx, id, cur, c);
  const patch = spec.doc ?? {};
  const merged = deepMerge(cur.source, patch);
  if (spec.detectNoop && !merged.changed) {
    return { index: idx, id, result: 'noop', seqNo: cur.seqNo, primaryTerm: cur.primaryTerm, version: cur.version, status: 200, doc: cur };
  }
  const doc = idx.put(id, merged.value, cur.version + 1, { fields: cur.fields, patch });
  return { index: idx, id, result: 'updated', seqNo: doc.seqNo, primaryTerm: doc.primaryTerm, version: doc.version, status: 200, doc };
}

/** Elasticsearch's XContentHelper.update: objects merge recursively, everything else replaces. */
export function deepMerge(base: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>): { value: Record<string, unknown>; changed: boolean } {
  const out: Record<string, unknown> = { ...base };
  let changed = false;
  // keys, not entries: a [key, value] array per field of every partial update was garbage
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    const old = out[k];
    if (isObject(old) && isObject(v)) {
      const m = deepMerge(old, v);
      out[k] = m.value;
      changed ||= m.changed;
    } else {
      if (!(k in out) || !jsonEqual(old, v)) changed = true;
      out[k] = v;
    }
  }
  return { value: out, changed };
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => k in rb && jsonEqual(ra[k], rb[k]));
}

/** Elasticsearch's " did you mean [x]?" suggestion for misspelled field names. */
export function didYouMean(name: string, known: ReadonlySet<string>): string {
  const close = [...known].filter((k) => editDistance(k, name) <= 2 && k !== name).sort();
  if (close.length === 0) return '';
  return close.length === 1 ? ` did you mean [${close[0] ?? ''}]?` : ` did you mean any of [${close.join(', ')}]?`;
}

function editDistance(a: string, b: string): number {
  const dp: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] ?? 0;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] ?? 0;
      dp[j] = Math.min((dp[j] ?? 0) + 1, (dp[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] ?? 0;
}
