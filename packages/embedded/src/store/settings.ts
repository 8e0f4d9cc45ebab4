import { illegalArgument } from './store-errors.js';

/**
 * Index settings: kept as Elasticsearch shows them (flat `index.*` keys, string values) and the
 * parsed refresh interval the store acts on.
 */
export type FlatSettings = Record<string, string>;

/** Flatten `{index: {refresh_interval: '1s'}}` / `{refresh_interval: 1}` into `index.refresh_interval: '1s'`. */
export function flattenSettings(json: unknown, prefix = ''): FlatSettings {
  const out: FlatSettings = {};
  if (json === undefined || json === null) return out;
  if (typeof json !== 'object' || Array.isArray(json)) throw illegalArgument(`malformed settings: expected an object, got ${JSON.stringify(json)}`);
  for (const [k, v] of Object.entries(json)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenSettings(v, key));
    else out[key.startsWith('index.') ? key : `index.${key}`] = Array.isArray(v) ? v.map(String).join(',') : v === null ? '' : String(v);
  }
  return out;
}

const staticSettings = new Set(['index.number_of_shards', 'index.routing_partition_size', 'index.codec', 'index.sort.field', 'index.sort.order']);

/** Reject settings the engine would silently ignore in a harmful way. */
export function validateSettings(s: FlatSettings, creating: boolean, indexName: string): void {
  for (const [k, v] of Object.entries(s)) {
    if (!creating && staticSettings.has(k)) {
      throw illegalArgument(`Can't update non dynamic settings [[${k}]] for open indices [[${indexName}]]`);
    }
    if (k === 'index.number_of_shards' || k === 'index.number_of_replicas') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < (k === 'index.number_of_shards' ? 1 : 0)) {
        throw illegalArgument(`Failed to parse value [${v}] for setting [${k}] must be >= ${k === 'index.number_of_shards' ? 1 : 0}`);
      }
    }
    if (k === 'index.refresh_interval') parseTimeValue(v, k);
    if (k === 'index.soft_deletes.enabled' && v === 'false') {
      throw illegalArgument('Creating indices with soft-deletes disabled is no longer supported. Please do not specify a value for setting [index.soft_deletes.enabled].');
    }
  }
}

/** Elasticsearch time values (`1s`, `500ms`, `-1`, `1m`) to milliseconds; -1 means disabled. */
export function parseTimeValue(v: string, setting: string): number {
  if (v === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$/.exec(v.trim());
  if (!m) {
    if (v === '0') return 0;
    throw illegalArgument(`failed to parse setting [${setting}] with value [${v}] as a time value: unit is missing or unrecognized`);
  }
  const mult: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * (mult[m[2] ?? 'ms'] ?? 1);
}

/** Turn flat settings back into the nested form `GET /idx/_settings` returns (without `flat_settings`). */
export function nestSettings(flat: FlatSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) {
    const parts = k.split('.');
    let cur = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i] ?? '';
      const next = cur[p];
      if (next !== null && typeof next === 'object') cur = next as Record<string, unknown>;
      else {
        const o: Record<string, unknown> = {};
        cur[p] = o;
        cur = o;
      }
    }
    cur[parts[parts.length - 1] ?? k] = v;
  }
  return out;
}
