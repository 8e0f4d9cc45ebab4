/**
 * Compare the mapping esjobs needs with the one an existing index has. Missing fields (and a
 * different `dynamic` setting) can be added in place with a put-mapping; a field of another type,
 * an indexed object where esjobs stores but does not index, or another date format cannot, and
 * make the index incompatible. Extra fields in the existing index are fine.
 */
import type { FieldMapping, IndexMappings } from './registry.js';

export interface MappingDifference {
  /** Dotted field path (`lease.owner`), or `(root)` for the mapping's own settings. */
  readonly path: string;
  /** `missing`: can be added; `conflict`: the index must be recreated (or another prefix used). */
  readonly kind: 'missing' | 'conflict';
  readonly description: string;
}

// Field parameters whose difference changes what esjobs can write or query.
const COMPARED = ['type', 'enabled', 'format', 'index', 'doc_values'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(f: Readonly<Record<string, unknown>>): string {
  if (typeof f.type === 'string') return f.type;
  return 'object';
}

function show(v: unknown): string {
  return v === undefined ? '(default)' : String(v);
}

function diffFields(expected: Readonly<Record<string, FieldMapping>>, actual: unknown, base: string, out: MappingDifference[]): void {
  const actualProps = isRecord(actual) ? actual : {};
  for (const [name, exp] of Object.entries(expected)) {
    const path = base === '' ? name : `${base}.${name}`;
    const act = actualProps[name];
    if (!isRecord(act)) {
      out.push({ path, kind: 'missing', description: `field [${path}] is missing` });
      continue;
    }
    const expType = typeOf(exp);
    const actType = typeOf(act);
    if (expType !== actType) {
      out.push({ path, kind: 'conflict', description: `field [${path}] is of type [${actType}], esjobs needs [${expType}]` });
      continue;
    }
    let conflicting = false;
    for (const param of COMPARED) {
      if (param === 'type' || exp[param] === undefined) continue;
      // Elasticsearch may echo booleans as strings
      if (String(exp[param]) !== String(act[param] ?? defaultOf(param))) {
        conflicting = true;
        out.push({ path, kind: 'conflict', description: `field [${path}] has ${param} [${show(act[param])}], esjobs needs [${String(exp[param])}]` });
      }
    }
    if (conflicting) continue;
    if (exp.properties !== undefined && exp.enabled !== false) diffFields(exp.properties, act.properties, path, out);
    if (exp.fields !== undefined) diffFields(exp.fields, act.fields, path, out);
  }
}

function defaultOf(param: (typeof COMPARED)[number]): unknown {
  if (param === 'enabled' || param === 'index' || param === 'doc_values') return true;
  return undefined;
}

/** Differences between the needed mapping and an index's actual `mappings` (from GET _mapping). */
export function diffMappings(expected: IndexMappings, actual: unknown): MappingDifference[] {
  const out: MappingDifference[] = [];
  const act = isRecord(actual) ? actual : {};
  if (expected.dynamic !== undefined && String(expected.dynamic) !== String(act.dynamic ?? 'true')) {
    out.push({ path: '(root)', kind: 'missing', description: `dynamic is [${show(act.dynamic)}], esjobs needs [${String(expected.dynamic)}]` });
  }
  diffFields(expected.properties, act.properties, '', out);
  return out;
}
