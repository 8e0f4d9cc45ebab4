/** `docvalue_fields`: per-hit values read from the indexed (doc) values, optionally formatted. */
import type { MappingView, StoredDoc } from '../contracts.js';
import { defaultDateFormat, formatDate } from './date.js';
import { parsingError, shardError } from './search-errors.js';

export interface DocValueField {
  readonly field: string;
  readonly format: string | undefined;
}

export function parseDocValueFields(v: unknown): DocValueField[] {
  const items = Array.isArray(v) ? v : [v];
  return items.map((it) => {
    if (typeof it === 'string') return { field: it, format: undefined };
    if (it !== null && typeof it === 'object' && typeof (it as Record<string, unknown>).field === 'string') {
      const o = it as Record<string, unknown>;
      return { field: String(o.field), format: o.format === undefined ? undefined : String(o.format) };
    }
    throw parsingError('[docvalue_fields] expected a field name or an object with [field]');
  });
}

function matching(mapping: MappingView, pattern: string): string[] {
  if (!pattern.includes('*')) return [pattern];
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return [...mapping.fieldPaths()].filter((p) => re.test(p));
}

/** Java DecimalFormat patterns like `#.0` or `0.00`: only the number of decimals is honoured. */
function decimal(n: number, format: string): string {
  const dot = format.indexOf('.');
  return n.toFixed(dot < 0 ? 0 : format.length - dot - 1);
}

export function docValueFields(doc: StoredDoc, mapping: MappingView, specs: readonly DocValueField[]): Record<string, unknown[]> | undefined {
  const out: Record<string, unknown[]> = {};
  for (const spec of specs) {
    for (const path of matching(mapping, spec.field)) {
      const f = mapping.field(path);
      if (!f) continue;
      if (f.type === 'text') {
        throw shardError('illegal_argument_exception', `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${path}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`);
      }
      const vals = doc.fields.get(path);
      if (!vals || vals.length === 0) continue;
      // doc values come back sorted, as Lucene stores them
      const sorted = [...vals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      out[path] = sorted.map((v) => {
        if (f.type === 'date' && typeof v === 'number') return formatDate(v, spec.format ?? f.format ?? defaultDateFormat);
        if (typeof v === 'number' && spec.format !== undefined && spec.format !== 'use_field_mapping') return decimal(v, spec.format);
        return v;
      });
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
