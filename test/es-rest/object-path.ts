/**
 * Dotted paths into a response body, as Elasticsearch's YAML runner reads them: `a.b.0.c`, with
 * `\.` for a literal dot in a key, numeric segments indexing arrays, `_arbitrary_key_` for the
 * first key of an object, and `$body` (or an empty path) for the whole body.
 */

/** Split a path on unescaped dots; `foo\.bar.baz` → `['foo.bar', 'baz']`. */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && path[i + 1] === '.') {
      current += '.';
      i++;
    } else if (ch === '.') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** The value at `path` in `body`, or undefined when any segment is missing. */
export function evaluatePath(body: unknown, path: string, resolveSegment: (s: string) => string = (s) => s): unknown {
  if (path === '' || path === '$body') return body;
  let node: unknown = body;
  for (const raw of splitPath(path)) {
    const segment = resolveSegment(raw);
    if (node === null || node === undefined) return undefined;
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(segment)) return undefined;
      node = node[Number(segment)];
    } else if (typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (segment === '_arbitrary_key_') {
        const first = Object.keys(record)[0];
        // the runner stashes the key itself, not the value under it
        return first;
      }
      node = Object.prototype.hasOwnProperty.call(record, segment) ? record[segment] : undefined;
    } else {
      return undefined;
    }
  }
  return node;
}
