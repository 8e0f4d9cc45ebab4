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
  /** `under()` per top-level key, with the number of paths it was computed from. */
  private readonly underKey = new Map<string, { known: number; slots: number[] }>();

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

  /** The slots of `key` and of every path below it (`key.sub`, multi-fields), for a top-level key. */
  under(key: string): readonly number[] {
    let u = this.underKey.get(key);
    if (u === undefined || u.known !== this.paths.length) {
      const slots: number[] = [];
      const prefix = `${key}.`;
      this.paths.forEach((p, i) => {
        if (p === key || p.startsWith(prefix)) slots.push(i);
      });
      u = { known: this.paths.length, slots };
      this.underKey.set(key, u);
    }
    return u.slots;
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
  /** The mapping's generation when these values were parsed (see Mapping.parseDocument). */
  private readonly generation: number;

  constructor(slots: FieldSlots, vals: readonly Slot[], generation = -1) {
    this.slots = slots;
    this.vals = vals;
    this.generation = generation;
  }

  parsedWith(slots: FieldSlots, generation: number): boolean {
    return this.slots === slots && this.generation === generation && generation >= 0;
  }

  /**
   * The values, to build another version from. Its parse clears the slots it fills first, so
   * pushValue never extends an array this version still holds.
   */
  copyValues(): Slot[] {
    return this.vals.slice();
  }

  get(path: string): readonly IndexedValue[] | undefined {
    const s = this.slots.find(path);
    if (s === undefined) return undefined;
    const v = this.vals[s];
    if (v === undefined) return undefined;
    return Array.isArray(v) ? v : [v];
  }

  /** See someValue. */
  some(path: string, pred: (v: IndexedValue) => boolean): boolean | undefined {
    const s = this.slots.find(path);
    if (s === undefined) return undefined;
    const v = this.vals[s];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return pred(v);
    for (const x of v) if (pred(x)) return true;
    return false;
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

  /** See forEachChangedField. */
  diff(next: FlatFields, fn: (path: string, before: Slot, after: Slot) => void): boolean {
    if (next.slots !== this.slots) return false;
    const paths = this.slots.paths;
    const n = Math.max(this.vals.length, next.vals.length);
    for (let i = 0; i < n; i++) {
      const a = this.vals[i];
      const b = next.vals[i];
      if (!sameSlot(a, b)) fn(paths[i] ?? '', a, b);
    }
    return true;
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

const none: readonly IndexedValue[] = [];

/** How many values a slot holds. */
export function slotLength(s: Slot): number {
  return s === undefined ? 0 : Array.isArray(s) ? s.length : 1;
}

function sameSlot(a: Slot, b: Slot): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Calls `fn` for each path whose values differ between two versions of a document, with the old
 * and new values as slots (a single value is not wrapped in an array: most of a partial update's
 * changed fields are single timestamps, ids and numbers). Returns false (and calls nothing) when
 * the two cannot be compared slot by slot (other implementations, or different mappings' slots):
 * the caller re-indexes everything.
 */
export function forEachChangedField(
  before: DocFields,
  after: DocFields,
  fn: (path: string, before: Slot, after: Slot) => void,
): boolean {
  if (!(before instanceof FlatFields) || !(after instanceof FlatFields)) return false;
  return before.diff(after, fn);
}

/**
 * Whether some value of `path` satisfies `pred`; undefined when the document has none. Query
 * matching calls this for every document a search walks, so the flat layout's single values are
 * tested as they are instead of being wrapped in an array per call.
 */
export function someValue(fields: DocFields, path: string, pred: (v: IndexedValue) => boolean): boolean | undefined {
  if (fields instanceof FlatFields) return fields.some(path, pred);
  const vals = fields.get(path);
  if (vals === undefined) return undefined;
  for (const v of vals) if (pred(v)) return true;
  return false;
}

/** The distinct values of `path` (a value repeated in one document once), none when it has none. */
export function distinctValues(fields: DocFields, path: string): readonly IndexedValue[] {
  const vals = fields.get(path);
  if (vals === undefined) return none;
  return vals.length < 2 || vals.every((v, i) => vals.indexOf(v) === i) ? vals : vals.filter((v, i) => vals.indexOf(v) === i);
}
