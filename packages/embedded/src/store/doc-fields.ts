import type { DocFields, IndexedValue } from '../contracts.js';

/**
 * A document's indexed values in one flat array, one slot per leaf path, numbered per mapping.
 * A Map plus an array per field, per document, was most of what a stored document retained and
 * about a fifth of bulk indexing time in garbage collection; here a document holds one object and
 * one array, and a field with a single value (the usual case) holds the value itself.
 */

/** Leaf path ↔ slot numbers of one mapping; shared by every document parsed with it, only grows. */
export class FieldSlots {
  private readonly byPath = new Map<string, number>();
  readonly paths: string[] = [];

  /** The slot of `path`, assigned on first use. */
  slot(path: string): number {
    let s = this.byPath.get(path);
    if (s === undefined) {
      s = this.paths.length;
      this.paths.push(path);
      this.byPath.set(path, s);
    }
    return s;
  }

  find(path: string): number | undefined {
    return this.byPath.get(path);
  }
}

/** One slot: nothing, one value, or several (arrays in the source, analyzed text, multi-valued fields). */
export type Slot = IndexedValue | IndexedValue[] | undefined;

/** Add a value to a slot array being filled for one document. */
export function pushValue(vals: Slot[], slot: number, v: IndexedValue): void {
  const cur = vals[slot];
  if (cur === undefined) vals[slot] = v;
  else if (Array.isArray(cur)) cur.push(v);
  else vals[slot] = [cur, v];
}

export class FlatFields implements DocFields {
  private readonly slots: FieldSlots;
  private readonly vals: readonly Slot[];

  constructor(slots: FieldSlots, vals: readonly Slot[]) {
    this.slots = slots;
    this.vals = vals;
  }

  get(path: string): readonly IndexedValue[] | undefined {
    const s = this.slots.find(path);
    if (s === undefined) return undefined;
    const v = this.vals[s];
    if (v === undefined) return undefined;
    return Array.isArray(v) ? v : [v];
  }

  has(path: string): boolean {
    const s = this.slots.find(path);
    return s !== undefined && this.vals[s] !== undefined;
  }

  keys(): string[] {
    const out: string[] = [];
    this.forEach((_, path) => out.push(path));
    return out;
  }

  forEach(fn: (values: readonly IndexedValue[], path: string) => void): void {
    const vals = this.vals;
    const paths = this.slots.paths;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v !== undefined) fn(Array.isArray(v) ? v : [v], paths[i] ?? '');
    }
  }
}
