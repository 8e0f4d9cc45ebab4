/**
 * `filter_path`: keep only the response paths matching the comma-separated patterns (`*` matches
 * one level, `**` any number, a leading `-` excludes), as Elasticsearch's XContent filtering does.
 */
export function applyFilterPath(body: unknown, filterPath: string): unknown {
  const patterns = filterPath.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const includes = patterns.filter((p) => !p.startsWith('-')).map((p) => p.split('.'));
  const excludes = patterns.filter((p) => p.startsWith('-')).map((p) => p.slice(1).split('.'));
  let out = body;
  if (includes.length) out = include(out, includes) ?? {};
  if (excludes.length) out = exclude(out, excludes);
  return out;
}

function segMatch(seg: string, key: string): boolean {
  if (seg === '*' || seg === key) return true;
  if (!seg.includes('*')) return false;
  return new RegExp(`^${seg.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(key);
}

/** Patterns remaining after descending into `key`; `true` when a pattern is complete there. */
function advance(patterns: readonly string[][], key: string): { done: boolean; rest: string[][] } {
  let done = false;
  const rest: string[][] = [];
  for (const p of patterns) {
    const [head, ...tail] = p;
    if (head === undefined) continue;
    if (head === '**') {
      rest.push(p);
      if (tail.length === 0) done = true;
      else {
        const r = advance([tail], key);
        done ||= r.done;
        rest.push(...r.rest);
      }
      continue;
    }
    if (!segMatch(head, key)) continue;
    if (tail.length === 0) done = true;
    else rest.push(tail);
  }
  return { done, rest };
}

function include(v: unknown, patterns: readonly string[][]): unknown {
  if (Array.isArray(v)) {
    const arr = v.map((e) => include(e, patterns)).filter((e) => e !== undefined);
    return arr.length ? arr : undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) {
    const { done, rest } = advance(patterns, k);
    if (done) out[k] = child;
    else if (rest.length) {
      const kept = include(child, rest);
      if (kept !== undefined) out[k] = kept;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function exclude(v: unknown, patterns: readonly string[][]): unknown {
  if (Array.isArray(v)) return v.map((e) => exclude(e, patterns));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) {
    const { done, rest } = advance(patterns, k);
    if (done) continue;
    out[k] = rest.length ? exclude(child, rest) : child;
  }
  return out;
}
