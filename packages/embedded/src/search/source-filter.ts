/** `_source` filtering with includes/excludes and `*` wildcards, as Elasticsearch applies it. */

export interface SourceSpec {
  /** false: no `_source` in hits. */
  readonly fetch: boolean;
  readonly includes: readonly string[];
  readonly excludes: readonly string[];
}

export const fetchAll: SourceSpec = { fetch: true, includes: [], excludes: [] };

function toMatcher(patterns: readonly string[]): ((path: string) => 'full' | 'prefix' | 'none') | undefined {
  if (patterns.length === 0) return undefined;
  const res = patterns.map((p) => new RegExp(`^${p.split('*').map(esc).join('.*')}$`));
  const prefixes = patterns.map((p) => p.split('*')[0] ?? '');
  return (path) => {
    if (res.some((r) => r.test(path))) return 'full';
    // an object on the way to an included leaf is kept (partially)
    const dotted = `${path}.`;
    if (prefixes.some((lit, i) => (patterns[i]?.includes('*') ? lit.startsWith(dotted) || dotted.startsWith(lit) : lit.startsWith(dotted)))) {
      return 'prefix';
    }
    return 'none';
  };
}

function esc(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export function filterSource(source: Readonly<Record<string, unknown>>, spec: SourceSpec): Record<string, unknown> {
  if (spec.includes.length === 0 && spec.excludes.length === 0) return source as Record<string, unknown>;
  const inc = toMatcher(spec.includes);
  const exc = spec.excludes.length ? spec.excludes.map((p) => new RegExp(`^${p.split('*').map(esc).join('.*')}$`)) : [];
  return filterObject(source, '', inc, exc, false);
}

function filterObject(
  obj: Readonly<Record<string, unknown>>,
  prefix: string,
  inc: ((path: string) => 'full' | 'prefix' | 'none') | undefined,
  exc: readonly RegExp[],
  included: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (exc.some((r) => r.test(path))) continue;
    const state: 'full' | 'prefix' | 'none' = included || !inc ? 'full' : inc(path);
    if (state === 'none') continue;
    const kept = filterValue(v, path, inc, exc, state === 'full');
    if (kept === undefined) continue;
    if (state === 'prefix' && isEmptyContainer(kept) && !isEmptyContainer(v)) continue;
    out[k] = kept;
  }
  return out;
}

function filterValue(
  v: unknown,
  path: string,
  inc: ((path: string) => 'full' | 'prefix' | 'none') | undefined,
  exc: readonly RegExp[],
  included: boolean,
): unknown {
  if (Array.isArray(v)) {
    const arr = v.map((e) => filterValue(e, path, inc, exc, included)).filter((e) => e !== undefined);
    return arr;
  }
  if (v !== null && typeof v === 'object') return filterObject(v as Record<string, unknown>, path, inc, exc, included);
  return included ? v : undefined;
}

function isEmptyContainer(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return v !== null && typeof v === 'object' && Object.keys(v).length === 0;
}
