import type { EngineResponse } from '../contracts.js';
import { esError } from '../errors.js';
import type { Ctx } from './context.js';
import { ok } from './context.js';
import type { IndexState } from './index-state.js';
import { Mapping } from './mapping.js';
import { wildcardMatch } from './names.js';
import { isObject, jsonBody, objectBody } from './request.js';
import type { Params } from './request.js';
import { flattenSettings, nestSettings, validateSettings } from './settings.js';
import type { FlatSettings } from './settings.js';
import { illegalArgument, validationFailed } from './store-errors.js';

/** Index administration: create, delete, exists, get, mappings, settings, refresh, templates. */

function resolveOpts(p: Params, dflt: { ignoreUnavailable: boolean; allowNoIndices: boolean; expand: string }) {
  return {
    ignoreUnavailable: p.bool('ignore_unavailable', dflt.ignoreUnavailable),
    allowNoIndices: p.bool('allow_no_indices', dflt.allowNoIndices),
    expandWildcards: p.str('expand_wildcards') ?? dflt.expand,
  };
}

export async function handleCreateIndex(ctx: Ctx, parts: Readonly<Record<string, string>>): Promise<EngineResponse> {
  ctx.params.accept('timeout', 'master_timeout', 'wait_for_active_shards', 'include_type_name');
  ctx.params.done();
  const idx = ctx.store.createIndex(parts['index'] ?? '', jsonBody(ctx.req));
  await ctx.commit();
  return ok({ acknowledged: true, shards_acknowledged: true, index: idx.name });
}

export async function handleDeleteIndex(ctx: Ctx, parts: Readonly<Record<string, string>>): Promise<EngineResponse> {
  const p = ctx.params;
  p.accept('timeout', 'master_timeout');
  const opts = resolveOpts(p, { ignoreUnavailable: false, allowNoIndices: true, expand: 'open,closed' });
  p.done();
  const expr = parts['index'] ?? '';
  failDestructive(expr);
  const targets = ctx.store.resolveStates(expr, opts);
  for (const idx of targets) ctx.store.deleteIndex(idx.name);
  await ctx.commit();
  return ok({ acknowledged: true });
}

/**
 * `action.destructive_requires_name`, true by default since Elasticsearch 8: a delete must name
 * its indices; `_all` or any `*` pattern is refused, except the match-nothing pair `*,-*`.
 */
function failDestructive(expr: string): void {
  if (expr === '*,-*') return;
  for (const part of expr.split(',')) {
    if (part === '_all' || part.includes('*')) throw illegalArgument('Wildcard expressions or all indices are not allowed');
  }
}

export function handleExists(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  p.accept('local', 'flat_settings', 'include_defaults', 'master_timeout');
  const opts = resolveOpts(p, { ignoreUnavailable: false, allowNoIndices: false, expand: 'open' });
  p.done();
  try {
    const found = ctx.store.resolveStates(parts['index'], opts);
    return { status: found.length ? 200 : 404 };
  } catch {
    return { status: 404 };
  }
}

function settingsBody(idx: IndexState, flat: boolean): Record<string, unknown> {
  const s: FlatSettings = {
    ...idx.settings,
    'index.uuid': idx.uuid,
    'index.creation_date': String(idx.creationDate),
    'index.provided_name': idx.name,
    'index.version.created': '8521000',
    'index.routing.allocation.include._tier_preference': 'data_content',
  };
  const sorted = Object.fromEntries(Object.entries(s).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return flat ? sorted : nestSettings(sorted);
}

export function handleGetIndex(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  p.accept('local', 'include_defaults', 'master_timeout', 'features');
  const flat = p.bool('flat_settings', false);
  const opts = resolveOpts(p, { ignoreUnavailable: false, allowNoIndices: true, expand: 'open' });
  p.done();
  const out: Record<string, unknown> = {};
  for (const idx of ctx.store.resolveStates(parts['index'], opts)) {
    out[idx.name] = { aliases: {}, mappings: idx.mapping.toJSON(), settings: settingsBody(idx, flat) };
  }
  return ok(out);
}

export function handleGetMapping(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  p.accept('local', 'master_timeout');
  const opts = resolveOpts(p, { ignoreUnavailable: false, allowNoIndices: true, expand: 'open' });
  p.done();
  const out: Record<string, unknown> = {};
  for (const idx of ctx.store.resolveStates(parts['index'], opts)) out[idx.name] = { mappings: idx.mapping.toJSON() };
  return ok(out);
}

export async function handlePutMapping(ctx: Ctx, parts: Readonly<Record<string, string>>): Promise<EngineResponse> {
  const p = ctx.params;
  p.accept('timeout', 'master_timeout', 'write_index_only');
  const opts = resolveOpts(p, { ignoreUnavailable: false, allowNoIndices: false, expand: 'open' });
  p.done();
  const body = objectBody(ctx.req, 'mapping source');
  const keys = Object.keys(body);
  const only = keys.length === 1 ? body[keys[0] ?? ''] : undefined;
  if (isObject(only) && !['properties', '_source', '_meta', 'runtime', 'dynamic_templates'].includes(keys[0] ?? '')) {
    throw illegalArgument('Types cannot be provided in put mapping requests');
  }
  const incoming = Mapping.parse(body);
  const targets = ctx.store.resolveStates(parts['index'], opts);
  // validate against every target first so that a conflict changes nothing
  for (const idx of targets) {
    const probe = Mapping.parse(idx.mapping.toJSON());
    probe.merge(incoming);
  }
  for (const idx of targets) {
    idx.mapping.merge(Mapping.parse(body));
    ctx.store.recordMapping(idx, body);
  }
  await ctx.commit();
  return ok({ acknowledged: true });
}

export function handleGetSettings(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  p.accept('local', 'include_defaults', 'master_timeout');
  const flat = p.bool('flat_settings', false);
  const opts = resolveOpts(p, { ignoreUnavailable: false, allowNoIndices: true, expand: 'open' });
  p.done();
  const name = parts['name'];
  const out: Record<string, unknown> = {};
  for (const idx of ctx.store.resolveStates(parts['index'], opts)) {
    let s = settingsBody(idx, true) as FlatSettings;
    if (name !== undefined) s = Object.fromEntries(Object.entries(s).filter(([k]) => name.split(',').some((n) => wildcardMatch(n, k))));
    out[idx.name] = { settings: flat ? s : nestSettings(s) };
  }
  return ok(out);
}

export async function handlePutSettings(ctx: Ctx, parts: Readonly<Record<string, string>>): Promise<EngineResponse> {
  const p = ctx.params;
  p.accept('timeout', 'master_timeout', 'flat_settings', 'preserve_existing', 'reopen');
  const opts = resolveOpts(p, { ignoreUnavailable: false, allowNoIndices: false, expand: 'open' });
  p.done();
  const body = objectBody(ctx.req, 'settings');
  const flat = flattenSettings(isObject(body['settings']) ? body['settings'] : body);
  if (Object.keys(flat).length === 0) throw validationFailed(['no settings to update']);
  const targets = ctx.store.resolveStates(parts['index'], opts);
  for (const idx of targets) validateSettings(flat, false, idx.name);
  for (const [k] of Object.entries(flat)) {
    if (['index.uuid', 'index.creation_date', 'index.provided_name', 'index.version.created'].includes(k)) {
      throw illegalArgument(`final ${targets[0]?.name ?? ''} setting [${k}], not updateable`);
    }
  }
  for (const idx of targets) {
    // a null value resets a setting to its default
    const merged: FlatSettings = { ...idx.settings, ...flat };
    idx.settings = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== ''));
    idx.rescheduleRefresh();
    ctx.store.recordSettings(idx);
  }
  await ctx.commit();
  return ok({ acknowledged: true });
}

export function handleRefresh(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  const opts = resolveOpts(p, { ignoreUnavailable: false, allowNoIndices: true, expand: 'open' });
  p.done();
  const targets = ctx.store.resolveStates(parts['index'], opts);
  for (const idx of targets) idx.refresh();
  // one primary per index; replicas are configured but unassigned on one node
  let total = 0;
  for (const idx of targets) total += 1 + Number(idx.settings['index.number_of_replicas'] ?? '1');
  return ok({ _shards: { total, successful: targets.length, failed: 0 } });
}

export async function handlePutTemplate(ctx: Ctx, parts: Readonly<Record<string, string>>): Promise<EngineResponse> {
  const p = ctx.params;
  p.accept('master_timeout', 'cause');
  const create = p.bool('create', false);
  p.done();
  const name = parts['name'] ?? '';
  if (create && ctx.store.templates.has(name)) throw illegalArgument(`index template [${name}] already exists`);
  ctx.store.putTemplate(name, objectBody(ctx.req, 'index template'));
  await ctx.commit();
  return ok({ acknowledged: true });
}

export function handleGetTemplate(ctx: Ctx, parts: Readonly<Record<string, string>>): EngineResponse {
  const p = ctx.params;
  p.accept('local', 'master_timeout', 'flat_settings', 'include_defaults');
  p.done();
  const name = parts['name'];
  const found = [...ctx.store.templates.values()].filter((t) => name === undefined || name.split(',').some((n) => wildcardMatch(n, t.name)));
  if (name !== undefined && !name.includes('*') && found.length === 0) {
    throw esError(404, 'resource_not_found_exception', `index template matching [${name}] not found`);
  }
  return ok({ index_templates: found.map((t) => ({ name: t.name, index_template: t.body })) });
}

export async function handleDeleteTemplate(ctx: Ctx, parts: Readonly<Record<string, string>>): Promise<EngineResponse> {
  const p = ctx.params;
  p.accept('master_timeout', 'timeout');
  p.done();
  const name = parts['name'] ?? '';
  const names = [...ctx.store.templates.keys()].filter((n) => name.split(',').some((pat) => wildcardMatch(pat, n)));
  if (names.length === 0 && !name.includes('*')) throw esError(404, 'resource_not_found_exception', `index_template [${name}] missing`);
  for (const n of names) ctx.store.deleteTemplate(n);
  await ctx.commit();
  return ok({ acknowledged: true });
}
