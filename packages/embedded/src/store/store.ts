import type { IndexHandle, JournalRecord, ResolveOptions } from '../contracts.js';
import { esError } from '../errors.js';
import { IndexState } from './index-state.js';
import type { IndexHost } from './index-state.js';
import { Mapping } from './mapping.js';
import { validateIndexName, wildcardMatch } from './names.js';
import { isObject } from './request.js';
import { flattenSettings, validateSettings } from './settings.js';
import type { FlatSettings } from './settings.js';
import { illegalArgument, indexNotFound, resourceAlreadyExists } from './store-errors.js';
import { findTemplate, parseTemplate } from './templates.js';
import type { IndexTemplate } from './templates.js';

const createFields = new Set(['mappings', 'settings', 'aliases']);

/** All indices and templates of the engine, and the index-expression resolution search relies on. */
export class Store {
  readonly indices = new Map<string, IndexState>();
  readonly templates = new Map<string, IndexTemplate>();
  private readonly host: IndexHost;

  constructor(host: IndexHost) {
    this.host = host;
  }

  get(name: string): IndexState {
    const idx = this.indices.get(name);
    if (!idx) throw indexNotFound(name);
    return idx;
  }

  /**
   * Create an index from a create-index body (templates applied underneath); `replay` skips
   * journaling for recovery.
   */
  createIndex(name: string, body: unknown, replay = false): IndexState {
    validateIndexName(name);
    const existing = this.indices.get(name);
    if (existing) throw resourceAlreadyExists(name, existing.uuid);
    const b = body === undefined || body === null ? {} : body;
    if (!isObject(b)) throw illegalArgument('request body must be an object');
    const unknown = Object.keys(b).filter((k) => !createFields.has(k));
    if (unknown.length) {
      // a body without the known keys is taken as settings by Elasticsearch only for flat `index.*` keys
      throw illegalArgument(`unknown key [${unknown[0] ?? ''}] for create index`);
    }
    const aliases = b['aliases'];
    if (aliases !== undefined && !isObject(aliases)) throw esError(400, 'parsing_exception', `Failed to parse [aliases]: expected an object`, { line: 1, col: 1 });
    if (isObject(aliases) && Object.keys(aliases).length) throw illegalArgument('aliases are not supported by the embedded engine');
    const requested = Mapping.parse(b['mappings'] ?? {});
    const ownSettings = flattenSettings(b['settings']);
    const tpl = replay ? undefined : findTemplate(this.templates.values(), name);
    const mapping = new Mapping(tpl?.mappings);
    mapping.merge(requested);
    const settings: FlatSettings = { ...(tpl?.settings ?? {}), ...ownSettings };
    validateSettings(settings, true, name);
    const full: FlatSettings = {
      'index.number_of_shards': '1',
      'index.number_of_replicas': '1',
      ...settings,
    };
    const idx = new IndexState(this.host, name, mapping, full);
    this.indices.set(name, idx);
    if (!replay) this.host.record({ op: 'create_index', index: name, mappings: mapping.toJSON(), settings: { ...full, 'index.uuid': idx.uuid, 'index.creation_date': String(idx.creationDate) } });
    return idx;
  }

  /** Create on first write, as `action.auto_create_index: true` does. */
  autoCreate(name: string): IndexState {
    return this.indices.get(name) ?? this.createIndex(name, {});
  }

  deleteIndex(name: string): void {
    const idx = this.indices.get(name);
    if (!idx) return;
    idx.close();
    this.indices.delete(name);
    this.host.record({ op: 'delete_index', index: name });
  }

  putTemplate(name: string, body: unknown): void {
    const t = parseTemplate(name, body);
    this.templates.set(name, t);
    this.host.record({ op: 'put_template', name, template: body });
  }

  deleteTemplate(name: string): void {
    if (this.templates.delete(name)) this.host.record({ op: 'delete_template', name });
  }

  recordMapping(idx: IndexState, mappings: unknown): void {
    this.host.record({ op: 'put_mapping', index: idx.name, mappings });
  }

  recordSettings(idx: IndexState): void {
    this.host.record({ op: 'put_settings', index: idx.name, settings: idx.settings });
  }

  /** Resolve an index expression the way Elasticsearch does for the given options. */
  resolve(expression: string | undefined, options: ResolveOptions = {}): IndexHandle[] {
    return this.resolveStates(expression, options);
  }

  resolveStates(expression: string | undefined, options: ResolveOptions = {}): IndexState[] {
    const expand = options.expandWildcards ?? 'open';
    const parts = expression === undefined || expression === '' ? ['_all'] : expression.split(',');
    const out = new Set<string>();
    let sawWildcard = false;
    for (const part of parts) {
      if (part === '') continue;
      if (part === '_all' || part === '*') {
        sawWildcard = true;
        if (expand !== 'none') for (const n of this.indices.keys()) if (visible(n, part, expand)) out.add(n);
        continue;
      }
      if (part.startsWith('-') && sawWildcard) {
        const pat = part.slice(1);
        for (const n of [...out]) if (wildcardMatch(pat, n)) out.delete(n);
        continue;
      }
      if (part.includes('*')) {
        sawWildcard = true;
        if (expand === 'none') continue;
        for (const n of this.indices.keys()) if (wildcardMatch(part, n) && visible(n, part, expand)) out.add(n);
        continue;
      }
      if (this.indices.has(part)) out.add(part);
      else if (!options.ignoreUnavailable) throw indexNotFound(part);
    }
    if (out.size === 0 && options.allowNoIndices === false) throw indexNotFound(expression ?? '_all');
    return [...out].sort().map((n) => this.get(n));
  }

  /** Replay one journal record (recovery): no journaling, no templates. */
  apply(rec: JournalRecord): void {
    switch (rec.op) {
      case 'create_index': {
        const settings = isObject(rec.settings) ? (rec.settings as FlatSettings) : {};
        const { 'index.uuid': uuid, 'index.creation_date': created, ...rest } = settings;
        this.indices.get(rec.index)?.close();
        this.indices.delete(rec.index);
        const idx = new IndexState(this.host, rec.index, new Mapping(rec.mappings), rest, uuid, created === undefined ? undefined : Number(created));
        this.indices.set(rec.index, idx);
        return;
      }
      case 'delete_index':
        this.indices.get(rec.index)?.close();
        this.indices.delete(rec.index);
        return;
      case 'put_mapping':
        this.get(rec.index).mapping.merge(Mapping.parse(rec.mappings));
        return;
      case 'put_settings': {
        const idx = this.get(rec.index);
        if (isObject(rec.settings)) idx.settings = { ...(rec.settings as FlatSettings) };
        idx.rescheduleRefresh();
        return;
      }
      case 'put_doc': {
        const source = isObject(rec.source) ? rec.source : {};
        this.get(rec.index).replayPut(rec.id, source, rec.seqNo, rec.primaryTerm, rec.version);
        return;
      }
      case 'delete_doc':
        this.get(rec.index).replayDelete(rec.id, rec.seqNo, rec.primaryTerm, rec.version);
        return;
      case 'put_template':
        this.templates.set(rec.name, parseTemplate(rec.name, rec.template));
        return;
      case 'delete_template':
        this.templates.delete(rec.name);
        return;
    }
  }

  /** The current state as journal records (compaction). */
  *snapshot(): Iterable<JournalRecord> {
    for (const t of this.templates.values()) yield { op: 'put_template', name: t.name, template: t.body };
    for (const idx of this.indices.values()) {
      yield { op: 'create_index', index: idx.name, mappings: idx.mapping.toJSON(), settings: { ...idx.settings, 'index.uuid': idx.uuid, 'index.creation_date': String(idx.creationDate) } };
      for (const d of idx.liveDocs()) {
        yield { op: 'put_doc', index: idx.name, id: d.id, source: d.source, seqNo: d.seqNo, primaryTerm: d.primaryTerm, version: d.version };
      }
      for (const [id, t] of idx.deletes()) {
        yield { op: 'delete_doc', index: idx.name, id, seqNo: t.seqNo, primaryTerm: t.primaryTerm, version: t.version };
      }
    }
  }

  close(): void {
    for (const idx of this.indices.values()) idx.close();
  }
}

function visible(name: string, pattern: string, expand: string): boolean {
  // hidden-style dot indices only match patterns that start with a dot, unless expanding to all/hidden
  if (!name.startsWith('.')) return true;
  return expand.includes('all') || expand.includes('hidden') || pattern.startsWith('.');
}
