import type { EngineResponse } from '../contracts.js';
import { EsError } from '../errors.js';
import type { Ctx } from './context.js';
import { docBody, ok, sourceFromJson, sourceParams } from './context.js';
import { lookup } from './doc-handlers.js';
import { isObject, objectBody } from './request.js';
import { esError } from '../errors.js';
import { validationFailed } from './store-errors.js';

/** `_mget`: real-time multi-get in the `docs` and `ids` forms, with per-document errors. */
export function handleMget(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  p.accept('routing', 'preference', 'stored_fields');
  const dflt = sourceParams(p);
  const realtime = p.bool('realtime', true);
  const refresh = p.bool('refresh', false);
  p.done();
  const body = objectBody(ctx.req, 'docs');
  for (const k of Object.keys(body)) {
    if (k !== 'docs' && k !== 'ids') throw esError(400, 'parsing_exception', `unknown parameter [${k}], expected one of [docs, ids]`, { line: 1, col: 1 });
  }
  const defaultIndex = parts['index'];
  const requests: Array<{ index: string | undefined; id: string | undefined; source: unknown }> = [];
  if (Array.isArray(body['docs'])) {
    for (const d of body['docs']) {
      if (!isObject(d)) throw esError(400, 'parsing_exception', 'docs array element should include an object', { line: 1, col: 1 });
      const idv = d['_id'];
      requests.push({ index: typeof d['_index'] === 'string' ? d['_index'] : defaultIndex, id: idv === undefined || idv === null ? undefined : String(idv), source: d['_source'] });
    }
  } else if (body['docs'] !== undefined) throw esError(400, 'parsing_exception', 'docs element should be an array', { line: 1, col: 1 });
  if (Array.isArray(body['ids'])) {
    for (const id of body['ids']) requests.push({ index: defaultIndex, id: String(id), source: undefined });
  } else if (body['ids'] !== undefined) throw esError(400, 'parsing_exception', 'ids element should be an array', { line: 1, col: 1 });
  if (requests.length === 0) throw validationFailed(['no documents to get']);
  const problems: string[] = [];
  requests.forEach((r, i) => {
    if (r.index === undefined) problems.push(`index is missing for doc ${i}`);
    if (r.id === undefined) problems.push(`id is missing for doc ${i}`);
  });
  if (problems.length) throw validationFailed(problems);
  const refreshed = new Set<string>();
  const docs = requests.map((r) => {
    const index = r.index ?? '';
    const id = r.id ?? '';
    try {
      const idx = ctx.store.get(index);
      if (refresh && !refreshed.has(index)) {
        idx.refresh();
        refreshed.add(index);
      }
      const doc = lookup(idx, id, realtime);
      if (!doc) return { _index: idx.name, _id: id, found: false };
      return docBody(doc, sourceFromJson(r.source, dflt));
    } catch (e) {
      if (!(e instanceof EsError)) throw e;
      return { _index: index, _id: id, error: e.toBody().error };
    }
  });
  return ok({ docs });
}
