import { analyze } from '../analysis.js';
import type { DocFields, FieldType, IndexedValue, MappingView, ResolvedField } from '../contracts.js';
import { EsError, esError } from '../errors.js';
import { defaultDateFormat, parseDate } from '../search/date.js';
import { FieldSlots, FlatFields, pushValue } from './doc-fields.js';
import type { Slot } from './doc-fields.js';
import { documentParsing, illegalArgument, mapperParsing } from './store-errors.js';

/**
 * An index's mapping: parsed and validated from the `mappings` JSON, merged by put-mapping, grown by
 * dynamic mapping while documents are parsed, and rendered back as Elasticsearch renders it.
 */

export type Dynamic = 'true' | 'false' | 'strict' | 'runtime';

/** The version a partial update was merged into (its indexed values) and the update's `doc`. */
export interface UpdatedVersion {
  readonly fields: DocFields;
  readonly patch: Readonly<Record<string, unknown>>;
}

interface ObjectNode {
  readonly kind: 'object';
  dynamic: Dynamic | undefined;
  enabled: boolean;
  readonly properties: Map<string, Node>;
}

interface LeafNode {
  readonly kind: 'leaf';
  readonly type: Exclude<FieldType, 'object'>;
  params: Record<string, unknown>;
  readonly fields: Map<string, LeafNode>;
  /** Full path, cached on first parse: a node sits at exactly one place in its tree. */
  path?: string;
  /** Its slot in `slotTable` (the mapping's FieldSlots), cached on first parse. */
  slot?: number;
  slotTable?: FieldSlots;
  /** `params` read once into a fixed shape for the per-value hot path; reset when params change. */
  compiled?: CompiledLeaf | undefined;
}

interface CompiledLeaf {
  readonly nullValue: unknown;
  readonly ignoreMalformed: boolean;
  readonly indexed: boolean;
  readonly ignoreAbove: number | undefined;
  readonly dateFormat: string;
  readonly coerce: boolean;
  readonly scalingFactor: number | undefined;
}

function compile(n: LeafNode): CompiledLeaf {
  const p = n.params;
  const above = p['ignore_above'];
  const factor = p['scaling_factor'];
  const format = p['format'];
  return {
    nullValue: p['null_value'],
    ignoreMalformed: p['ignore_malformed'] === true,
    indexed: p['index'] !== false || p['doc_values'] !== false,
    ignoreAbove: typeof above === 'number' ? above : undefined,
    dateFormat: typeof format === 'string' ? format : defaultDateFormat,
    coerce: p['coerce'] !== false,
    scalingFactor: typeof factor === 'number' ? factor : undefined,
  };
}

type Node = ObjectNode | LeafNode;

const leafTypes = new Set<string>([
  'keyword', 'text', 'long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long', 'boolean', 'date', 'flattened',
]);
const leafParams = new Set([
  'index', 'doc_values', 'store', 'ignore_above', 'null_value', 'format', 'coerce', 'ignore_malformed', 'scaling_factor', 'analyzer', 'search_analyzer',
  'search_quote_analyzer', 'norms', 'copy_to', 'meta', 'boost', 'eager_global_ordinals', 'index_options', 'similarity', 'term_vector', 'fielddata',
  'locale', 'normalizer', 'split_queries_on_whitespace', 'position_increment_gap', 'time_series_dimension', 'time_series_metric', 'depth_limit',
  'index_phrases', 'index_prefixes', 'fielddata_frequency_filter', 'dimension', 'on_script_error',
]);
const rootParams = new Set(['properties', 'dynamic', '_source', '_meta', 'dynamic_templates', 'date_detection', 'numeric_detection', '_routing', 'enabled', 'runtime', 'dynamic_date_formats', '_field_names', '_data_stream_timestamp', 'subobjects']);
const numericTypes = new Set<FieldType>(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const intRanges: Partial<Record<FieldType, readonly [number, number, string]>> = {
  long: [-(2 ** 63), 2 ** 63, 'long'],
  integer: [-2147483648, 2147483647, 'integer'],
  short: [-32768, 32767, 'short'],
  byte: [-128, 127, 'byte'],
  unsigned_long: [0, 2 ** 64, 'unsigned_long'],
};

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseDynamic(v: unknown, path: string): Dynamic {
  const s = typeof v === 'boolean' ? String(v) : v;
  if (s === 'true' || s === 'false' || s === 'strict' || s === 'runtime') return s;
  throw mapperParsing(`Could not convert [${path}.dynamic] to boolean`);
}

function parseBool(v: unknown, what: string): boolean {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw mapperParsing(`Could not convert [${what}] to boolean`, { type: 'illegal_argument_exception', reason: `Failed to parse value [${String(v)}] as only [true] or [false] are allowed.` });
}

function parseProperties(json: unknown, prefix: string): Map<string, Node> {
  const out = new Map<string, Node>();
  if (json === undefined || json === null) return out;
  if (!isObj(json)) throw mapperParsing(`Expected map for property [properties] on field [${prefix || '_doc'}] but got a class java.lang.String`);
  for (const [name, def] of Object.entries(json)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (name === '') throw mapperParsing('field name cannot be an empty string', { type: 'illegal_argument_exception', reason: 'field name cannot be an empty string' });
    if (!isObj(def)) throw mapperParsing(`Expected map for property [fields] on field [${path}] but got a class java.lang.String`);
    if (name.includes('.')) {
      // `a.b` in properties means object a with field b, as in Elasticsearch
      const [head, ...rest] = name.split('.');
      const key = head ?? name;
      const existing = out.get(key);
      const child = parseProperties({ [rest.join('.')]: def }, prefix ? `${prefix}.${key}` : key);
      if (existing && existing.kind === 'object') for (const [k, v] of child) existing.properties.set(k, v);
      else out.set(key, { kind: 'object', dynamic: undefined, enabled: true, properties: child });
      continue;
    }
    out.set(name, parseNode(def, path));
  }
  return out;
}

function parseNode(def: Record<string, unknown>, path: string): Node {
  const type = def['type'] ?? (def['properties'] !== undefined || def['fields'] === undefined ? 'object' : undefined);
  if (type === 'object' || type === undefined) {
    const node: ObjectNode = { kind: 'object', dynamic: undefined, enabled: true, properties: new Map() };
    const unknown: string[] = [];
    for (const [k, v] of Object.entries(def)) {
      if (k === 'type') continue;
      else if (k === 'properties') for (const [n, c] of parseProperties(v, path)) node.properties.set(n, c);
      else if (k === 'dynamic') node.dynamic = parseDynamic(v, path);
      else if (k === 'enabled') node.enabled = parseBool(v, `${path}.enabled`);
      else if (k === 'subobjects') continue;
      else unknown.push(`${k} : ${JSON.stringify(v)}`);
    }
    if (unknown.length) throw mapperParsing(`Mapping definition for [${path}] has unsupported parameters:  [${unknown.join('] [')}]`);
    return node;
  }
  if (typeof type !== 'string') throw mapperParsing(`No type specified for field [${path}]`);
  if (type === 'nested') throw mapperParsing(`The mapper type [nested] declared on field [${path.split('.').pop() ?? path}] is not supported by the embedded engine`);
  if (!leafTypes.has(type)) {
    const simple = path.split('.').pop() ?? path;
    throw mapperParsing(`The mapper type [${type}] declared on field [${simple}] does not exist. It might have been created within a future version or requires a plugin to be installed. Check the documentation.`);
  }
  const leaf: LeafNode = { kind: 'leaf', type: type as LeafNode['type'], params: {}, fields: new Map() };
  for (const [k, v] of Object.entries(def)) {
    if (k === 'type') continue;
    if (k === 'fields') {
      if (!isObj(v)) throw mapperParsing(`Expected map for property [fields] on field [${path}] but got a ${typeof v}`);
      for (const [sub, subDef] of Object.entries(v)) {
        if (!isObj(subDef)) throw mapperParsing(`Expected map for property [fields] on field [${sub}] but got a ${typeof subDef}`);
        const n = parseNode(subDef, `${path}.${sub}`);
        if (n.kind !== 'leaf') throw mapperParsing(`Type [object] cannot be used in multi field`);
        leaf.fields.set(sub, n);
      }
      continue;
    }
    if (k === 'script') throw mapperParsing(`Field [${path}] of type [${type}] does not support [script] in the embedded engine`);
    if (!leafParams.has(k)) throw mapperParsing(`unknown parameter [${k}] on mapper [${path}] of type [${type}]`);
    leaf.params[k] = v;
  }
  if (type === 'scaled_float' && typeof leaf.params['scaling_factor'] !== 'number') throw mapperParsing(`Field [scaling_factor] is required`);
  if (type === 'date' && leaf.params['format'] !== undefined && typeof leaf.params['format'] !== 'string') throw mapperParsing(`Invalid format for field [${path}]`);
  return leaf;
}

function renderNode(n: Node): Record<string, unknown> {
  if (n.kind === 'leaf') {
    const out: Record<string, unknown> = { type: n.type, ...n.params };
    if (n.fields.size) out['fields'] = Object.fromEntries([...n.fields].map(([k, v]) => [k, renderNode(v)]));
    return out;
  }
  const out: Record<string, unknown> = {};
  if (n.properties.size === 0) out['type'] = 'object';
  if (n.dynamic !== undefined) out['dynamic'] = n.dynamic;
  if (!n.enabled) out['enabled'] = false;
  if (n.properties.size) out['properties'] = renderProps(n.properties);
  return out;
}

function renderProps(props: ReadonlyMap<string, Node>): Record<string, unknown> {
  return Object.fromEntries([...props].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, renderNode(v)]));
}

function preview(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Context of one document parse: its values, and what dynamic mapping added, so a failure can be undone. */
interface ParseCtx {
  readonly id: string;
  readonly slots: FieldSlots;
  readonly vals: Slot[];
  added: Array<{ parent: Map<string, Node>; name: string }> | undefined;
}

function added(ctx: ParseCtx, parent: Map<string, Node>, name: string): void {
  (ctx.added ??= []).push({ parent, name });
}

export class Mapping implements MappingView {
  private readonly root: ObjectNode = { kind: 'object', dynamic: undefined, enabled: true, properties: new Map() };
  private rootExtras: Record<string, unknown> = {};
  private resolved: Map<string, ResolvedField> | undefined;
  private dateDetection = true;
  /** Slot numbers of the leaf paths documents have values for (see doc-fields.ts). */
  private readonly slots = new FieldSlots();
  /** Bumped by every change of the mapping (see parseDocument). */
  private generation = 0;

  constructor(json?: unknown) {
    if (json !== undefined && json !== null) this.merge(Mapping.parse(json));
  }

  /** Parse and validate a `mappings` object; throws mapper_parsing_exception. */
  static parse(json: unknown): Mapping {
    try {
      return Mapping.parseRoot(json);
    } catch (e) {
      // Elasticsearch wraps every mapping definition error the same way
      if (e instanceof EsError && e.type === 'mapper_parsing_exception') {
        throw new EsError(400, { type: 'mapper_parsing_exception', reason: `Failed to parse mapping: ${e.message}`, caused_by: e.cause_ }, e.rootCauses);
      }
      throw e;
    }
  }

  private static parseRoot(json: unknown): Mapping {
    if (!isObj(json)) throw mapperParsing('Root mapping definition must be an object');
    const m = new Mapping();
    const unknown: string[] = [];
    for (const [k, v] of Object.entries(json)) {
      if (k === 'properties') for (const [n, c] of parseProperties(v, '')) m.root.properties.set(n, c);
      else if (k === 'dynamic') m.root.dynamic = parseDynamic(v, '_doc');
      else if (k === 'date_detection') {
        m.dateDetection = v !== false && v !== 'false';
        m.rootExtras[k] = v;
      } else if (rootParams.has(k)) m.rootExtras[k] = v;
      else unknown.push(`${k} : ${JSON.stringify(v)}`);
    }
    if (unknown.length) throw mapperParsing(`Root mapping definition has unsupported parameters:  [${unknown.join('] [')}]`);
    return m;
  }

  /** Merge another mapping into this one (put mapping, templates); throws on type changes without changing anything. */
  merge(other: Mapping): void {
    checkMerge(this.root.properties, other.root.properties, '');
    mergeProps(this.root.properties, other.root.properties);
    if (other.root.dynamic !== undefined) this.root.dynamic = other.root.dynamic;
    Object.assign(this.rootExtras, other.rootExtras);
    if (other.rootExtras['date_detection'] !== undefined) this.dateDetection = other.dateDetection;
    this.changed();
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.root.dynamic !== undefined) out['dynamic'] = this.root.dynamic;
    Object.assign(out, this.rootExtras);
    if (this.root.properties.size) out['properties'] = renderProps(this.root.properties);
    return out;
  }

  /** false with `_source: {enabled: false}`: documents are indexed but their source is not returned. */
  get sourceEnabled(): boolean {
    const src = this.rootExtras['_source'];
    return !(isObj(src) && (src['enabled'] === false || src['enabled'] === 'false'));
  }

  field(path: string): ResolvedField | undefined {
    return this.leaves().get(path);
  }

  fieldPaths(): Iterable<string> {
    return this.leaves().keys();
  }

  /** Mapping of one full field path as `GET _mapping/field` would show it (leaf or object). */
  private leaves(): Map<string, ResolvedField> {
    if (this.resolved) return this.resolved;
    const out = new Map<string, ResolvedField>();
    const walk = (props: ReadonlyMap<string, Node>, prefix: string): void => {
      for (const [name, n] of props) {
        const path = prefix ? `${prefix}.${name}` : name;
        if (n.kind === 'object') walk(n.properties, path);
        else addLeaf(out, n, path);
      }
    };
    walk(this.root.properties, '');
    this.resolved = out;
    return out;
  }

  /**
   * Compute a document's indexed values, adding dynamic mappings as Elasticsearch would. Returns
   * whether the mapping changed. On error the mapping is left as it was. With `prev`, only the
   * keys the update names are parsed again and the other values are taken from the previous
   * version, when that version was parsed with this very mapping and no key is dotted (a dotted
   * key can feed the same path as an object key); otherwise the whole document is parsed.
   */
  parseDocument(
    source: Readonly<Record<string, unknown>>,
    id: string,
    prev?: UpdatedVersion,
  ): { fields: DocFields; mappingChanged: boolean } {
    const base = prev === undefined ? undefined : this.unchangedValues(prev.fields, source, prev.patch);
    const ctx: ParseCtx = { id, slots: this.slots, vals: base ?? [], added: undefined };
    const dynamic = this.root.dynamic ?? 'true';
    try {
      if (base === undefined || prev === undefined) this.parseObject(source, this.root, '', dynamic, ctx);
      else for (const key in prev.patch) this.parseEntry(key, source[key], this.root, '', dynamic, ctx);
    } catch (e) {
      if (ctx.added) for (const a of ctx.added.reverse()) a.parent.delete(a.name);
      throw e;
    }
    if (ctx.added) this.changed();
    return { fields: new FlatFields(this.slots, ctx.vals, this.generation), mappingChanged: ctx.added !== undefined };
  }

  /** A copy of the previous version's values without those under the patched keys, or undefined when it cannot be reused. */
  private unchangedValues(fields: DocFields, source: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>): Slot[] | undefined {
    if (!(fields instanceof FlatFields) || !fields.parsedWith(this.slots, this.generation)) return undefined;
    for (const key in source) if (key.includes('.')) return undefined;
    const vals = fields.copyValues();
    for (const key in patch) for (const slot of this.slots.under(key)) vals[slot] = undefined;
    return vals;
  }

  /** Mapping changes make the values of documents parsed before them stale for reuse. */
  private changed(): void {
    this.resolved = undefined;
    this.generation++;
  }

  private parseObject(obj: Readonly<Record<string, unknown>>, node: ObjectNode, prefix: string, dynamic: Dynamic, ctx: ParseCtx): void {
    for (const rawKey in obj) this.parseEntry(rawKey, obj[rawKey], node, prefix, dynamic, ctx);
  }

  private parseEntry(rawKey: string, value: unknown, node: ObjectNode, prefix: string, dynamic: Dynamic, ctx: ParseCtx): void {
    if (rawKey === '') throw documentParsing(`failed to parse: field name cannot be an empty string`);
    if (prefix === '' && rawKey.charCodeAt(0) === 95 && metadataFields.has(rawKey)) {
      throw documentParsing(`Field [${rawKey}] is a metadata field and cannot be added inside a document. Use the index API request parameters.`);
    }
    if (!rawKey.includes('.')) {
      this.parseField(rawKey, value, node, prefix, dynamic, ctx);
      return;
    }
    // dotted keys address sub-objects, like {"a": {"b": ...}}
    const parts = rawKey.split('.');
    let target = node;
    let targetPrefix = prefix;
    let dyn = dynamic;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] ?? '';
      const childPath = targetPrefix ? `${targetPrefix}.${part}` : part;
      let child = target.properties.get(part);
      if (!child) {
        if (!this.mayAdd(dyn, part, targetPrefix)) return;
        child = { kind: 'object', dynamic: undefined, enabled: true, properties: new Map() };
        target.properties.set(part, child);
        added(ctx, target.properties, part);
      }
      if (child.kind !== 'object') {
        throw documentParsing(`Could not dynamically add mapping for field [${childPath}${parts.slice(i + 1).map((p) => `.${p}`).join('')}]. Existing mapping for [${childPath}] must be of type object but found [${child.type}].`);
      }
      if (!child.enabled) return;
      dyn = child.dynamic ?? dyn;
      target = child;
      targetPrefix = childPath;
    }
    const key = parts[parts.length - 1] ?? rawKey;
    this.parseField(key, value, target, targetPrefix, dyn, ctx);
  }

  private mayAdd(dynamic: Dynamic, name: string, parentPath: string): boolean {
    if (dynamic === 'strict') {
      throw esError(400, 'strict_dynamic_mapping_exception', `mapping set to strict, dynamic introduction of [${name}] within [${parentPath || '_doc'}] is not allowed`);
    }
    return dynamic === 'true';
  }

  private parseField(key: string, value: unknown, parent: ObjectNode, parentPath: string, dynamic: Dynamic, ctx: ParseCtx): void {
    let node = parent.properties.get(key);
    if (!node) {
      const sample = firstNonNull(value);
      if (sample === undefined) {
        // null or empty array: no mapping is created, but strict still rejects the field name
        if (dynamic === 'strict') this.mayAdd(dynamic, key, parentPath);
        return;
      }
      if (!this.mayAdd(dynamic, key, parentPath)) return;
      node = this.dynamicNode(sample);
      parent.properties.set(key, node);
      added(ctx, parent.properties, key);
    }
    const path = node.kind === 'leaf' ? (node.path ??= childPath(parentPath, key)) : childPath(parentPath, key);
    this.parseValue(node, value, path, dynamic, ctx);
  }

  private parseValue(node: Node, value: unknown, path: string, dynamic: Dynamic, ctx: ParseCtx): void {
    if (node.kind === 'object' && !node.enabled) return;
    if (Array.isArray(value)) {
      for (const v of value) this.parseValue(node, v, path, dynamic, ctx);
      return;
    }
    if (node.kind === 'object') {
      // a disabled object skips its value whatever it is, as Elasticsearch's parser does
      if (value === null || !node.enabled) return;
      if (!isObj(value)) throw documentParsing(`object mapping for [${path}] tried to parse field [${path.split('.').pop() ?? path}] as object, but found a concrete value`);
      if (!node.enabled) return;
      this.parseObject(value, node, path, node.dynamic ?? dynamic, ctx);
      return;
    }
    indexLeaf(node, path, value, ctx);
  }

  private dynamicNode(sample: unknown): Node {
    if (isObj(sample)) return { kind: 'object', dynamic: undefined, enabled: true, properties: new Map() };
    if (typeof sample === 'boolean') return { kind: 'leaf', type: 'boolean', params: {}, fields: new Map() };
    if (typeof sample === 'number') return { kind: 'leaf', type: Number.isInteger(sample) ? 'long' : 'float', params: {}, fields: new Map() };
    const s = String(sample);
    if (this.dateDetection && looksLikeDate(s)) return { kind: 'leaf', type: 'date', params: {}, fields: new Map() };
    return {
      kind: 'leaf',
      type: 'text',
      params: {},
      fields: new Map([['keyword', { kind: 'leaf', type: 'keyword', params: { ignore_above: 256 }, fields: new Map() }]]),
    };
  }
}

const metadataFields = new Set(['_id', '_index', '_source', '_routing', '_seq_no', '_primary_term', '_version', '_field_names', '_ignored', '_doc_count', '_tier', '_data_stream_timestamp', '_nested_path', '_feature']);

function looksLikeDate(s: string): boolean {
  if (/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/.test(s)) {
    return parseDate(s, 'strict_date_optional_time') !== undefined;
  }
  return /^\d{4}\/\d{2}\/\d{2}(?: \d{2}:\d{2}:\d{2})?$/.test(s);
}

function childPath(parentPath: string, key: string): string {
  return parentPath ? `${parentPath}.${key}` : key;
}

function firstNonNull(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (const e of v) {
      const f = firstNonNull(e);
      if (f !== undefined) return f;
    }
    return undefined;
  }
  return v === null ? undefined : v;
}

function addLeaf(out: Map<string, ResolvedField>, n: LeafNode, path: string): void {
  const format = n.type === 'date' ? ((n.params['format'] as string | undefined) ?? defaultDateFormat) : undefined;
  const searchable = n.params['index'] !== false && n.params['index'] !== 'false';
  const docValues = n.type !== 'text' && n.params['doc_values'] !== false && n.params['doc_values'] !== 'false';
  out.set(path, format === undefined ? { path, type: n.type, searchable, docValues } : { path, type: n.type, format, searchable, docValues });
  for (const [sub, s] of n.fields) addLeaf(out, s, `${path}.${sub}`);
}

function checkMerge(current: ReadonlyMap<string, Node>, incoming: ReadonlyMap<string, Node>, prefix: string): void {
  for (const [name, n] of incoming) {
    const path = prefix ? `${prefix}.${name}` : name;
    const cur = current.get(name);
    if (!cur) continue;
    if (cur.kind === 'object' && n.kind === 'object') checkMerge(cur.properties, n.properties, path);
    else if (cur.kind === 'object' || n.kind === 'object') {
      if (cur.kind === 'object') throw illegalArgument(`can't merge a non object mapping [${path}] with an object mapping`);
      throw illegalArgument(`can't merge a non object mapping [${path}] with an object mapping`);
    } else {
      if (cur.type !== n.type) throw illegalArgument(`mapper [${path}] cannot be changed from type [${cur.type}] to [${n.type}]`);
      checkMerge(cur.fields, n.fields, path);
    }
  }
}

function mergeProps(current: Map<string, Node>, incoming: ReadonlyMap<string, Node>): void {
  for (const [name, n] of incoming) {
    const cur = current.get(name);
    if (!cur) current.set(name, n);
    else if (cur.kind === 'object' && n.kind === 'object') {
      if (n.dynamic !== undefined) cur.dynamic = n.dynamic;
      if (!n.enabled) cur.enabled = false;
      mergeProps(cur.properties, n.properties);
    } else if (cur.kind === 'leaf' && n.kind === 'leaf') {
      cur.params = { ...cur.params, ...n.params };
      cur.compiled = undefined;
      mergeProps(cur.fields as Map<string, Node>, n.fields);
    }
  }
}

function push(ctx: ParseCtx, n: LeafNode, path: string, v: IndexedValue): void {
  let slot = n.slot;
  if (slot === undefined || n.slotTable !== ctx.slots) {
    slot = n.slot = ctx.slots.slot(path);
    n.slotTable = ctx.slots;
  }
  pushValue(ctx.vals, slot, v);
}

function fail(n: LeafNode, path: string, value: unknown, ctx: ParseCtx, cause: { type: string; reason: string }): EsError {
  return documentParsing(`failed to parse field [${path}] of type [${n.type}] in document with id '${ctx.id}'. Preview of field's value: '${preview(value)}'`, cause);
}

function indexLeaf(n: LeafNode, path: string, raw: unknown, ctx: ParseCtx): void {
  const c = (n.compiled ??= compile(n));
  let value = raw;
  if (value === null) {
    value = c.nullValue;
    if (value === undefined || value === null) return;
  }
  if (n.type === 'flattened') {
    for (const leaf of flattenLeaves(value)) push(ctx, n, path, leaf);
    return;
  }
  if (isObj(value)) {
    if (c.ignoreMalformed) return;
    throw fail(n, path, value, ctx, { type: 'illegal_state_exception', reason: `Can't get text on a START_OBJECT at 1:1` });
  }
  let v: IndexedValue | undefined;
  try {
    v = convert(n, c, value);
  } catch (e) {
    if (c.ignoreMalformed) return;
    if (e instanceof ConvertError) throw fail(n, path, value, ctx, e.cause_);
    throw e;
  }
  if (v === undefined) return;
  if (c.indexed) {
    if (n.type === 'text') for (const t of analyze(String(v))) push(ctx, n, path, t);
    else push(ctx, n, path, v);
  }
  if (n.fields.size === 0) return;
  for (const [sub, s] of n.fields) indexLeaf(s, (s.path ??= `${path}.${sub}`), raw, ctx);
}

class ConvertError extends Error {
  readonly cause_: { type: string; reason: string };
  constructor(type: string, reason: string) {
    super(reason);
    this.cause_ = { type, reason };
  }
}

function convert(n: LeafNode, c: CompiledLeaf, value: unknown): IndexedValue | undefined {
  switch (n.type) {
    case 'keyword': {
      const s = typeof value === 'string' ? value : String(value);
      const above = c.ignoreAbove;
      if (above !== undefined && s.length > above) return undefined;
      return s;
    }
    case 'text':
      return typeof value === 'string' ? value : String(value);
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false' || value === '') return false;
      throw new ConvertError('illegal_argument_exception', `Failed to parse value [${preview(value)}] as only [true] or [false] are allowed.`);
    case 'date': {
      const format = c.dateFormat;
      const ms = (format === defaultDateFormat && typeof value === 'string' ? canonicalIsoMs(value) : undefined) ?? parseDate(value, format);
      if (ms === undefined || Number.isNaN(ms)) {
        throw new ConvertError('illegal_argument_exception', `failed to parse date field [${preview(value)}] with format [${format}]`);
      }
      return ms;
    }
    default:
      if (numericTypes.has(n.type)) return toNumber(n, c, value);
      return String(value);
  }
}

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` (what `toISOString` and most clients write) without the general
 * parser's regex and format loop; same arithmetic as the ISO parser, undefined for anything else.
 */
function canonicalIsoMs(s: string): number | undefined {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return undefined;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || ms < 0) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  return Number.isNaN(t) ? undefined : t;
}

/** The decimal number in s[at, at+len), or -1 when a character is not a digit. */
function digits(s: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function toNumber(n: LeafNode, c: CompiledLeaf, value: unknown): number {
  const coerce = c.coerce;
  let num: number;
  if (typeof value === 'number') num = value;
  else if (typeof value === 'string' && coerce) {
    const t = value.trim();
    num = t === '' ? NaN : Number(t);
    if (Number.isNaN(num)) throw new ConvertError('number_format_exception', `For input string: "${value}"`);
  } else if (typeof value === 'string') {
    throw new ConvertError('illegal_argument_exception', `[coerce] is false, string values are not accepted`);
  } else {
    throw new ConvertError('illegal_argument_exception', `Current token (${typeof value === 'boolean' ? (value ? 'VALUE_TRUE' : 'VALUE_FALSE') : 'VALUE_STRING'}) not numeric, can not use numeric value accessors`);
  }
  if (!Number.isFinite(num)) throw new ConvertError('illegal_argument_exception', `[${n.type}] supports only finite values, but got [${String(value)}]`);
  const range = intRanges[n.type];
  if (range) {
    if (!Number.isInteger(num)) {
      if (!coerce) throw new ConvertError('illegal_argument_exception', `Value [${String(value)}] has a decimal part`);
      num = Math.trunc(num);
    }
    if (num < range[0] || num > range[1]) throw new ConvertError('illegal_argument_exception', `Value [${String(value)}] is out of range for ${range[2] === 'integer' ? 'an' : 'a'} ${range[2]}`);
    return num;
  }
  if (n.type === 'float') return Math.fround(num);
  if (n.type === 'half_float') return Math.fround(num);
  if (n.type === 'scaled_float') {
    const f = c.scalingFactor;
    return f !== undefined ? Math.round(num * f) / f : num;
  }
  return num;
}

function flattenLeaves(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(flattenLeaves);
  if (isObj(v)) return Object.values(v).flatMap(flattenLeaves);
  return [String(v)];
}
