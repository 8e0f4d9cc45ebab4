import type { EngineRequest, RequestKind } from '../contracts.js';
import { EsError } from '../errors.js';
import { decodeSegment } from './request.js';
import { illegalArgument } from './store-errors.js';

/** The REST routes the engine answers, matched the way Elasticsearch's RestController does. */

type Method = EngineRequest['method'];

export type RouteName =
  | 'info' | 'health' | 'refresh' | 'bulk' | 'mget' | 'search' | 'count' | 'delete_by_query'
  | 'get_mapping' | 'put_mapping' | 'get_settings' | 'put_settings'
  | 'get_template' | 'put_template' | 'delete_template'
  | 'create_index' | 'delete_index' | 'get_index' | 'exists_index'
  | 'index_doc' | 'create_doc' | 'get_doc' | 'delete_doc' | 'update_doc' | 'get_source' | 'capabilities';

interface Route {
  readonly pattern: readonly string[];
  readonly methods: readonly Method[];
  readonly name: RouteName;
  readonly kind: RequestKind;
  /** Precedence: literal segments beat placeholders, earlier segments weigh more. */
  readonly score: number;
  /** Placeholder positions and names, so a match builds `parts` without re-reading the pattern. */
  readonly slots: ReadonlyArray<readonly [number, string]>;
}

const r = (path: string, methods: Method[], name: RouteName, kind: RequestKind): Route => {
  const pattern = path.split('/').filter((s) => s !== '');
  const slots: Array<readonly [number, string]> = [];
  pattern.forEach((seg, i) => {
    if (seg.startsWith('{')) slots.push([i, seg.slice(1, -1)]);
  });
  const score = pattern.reduce((s, seg, i) => s + (seg.startsWith('{') ? 0 : 2 ** (8 - i)), 0);
  return { pattern, methods, name, kind, score, slots };
};

const routes: readonly Route[] = [
  r('/', ['GET', 'HEAD'], 'info', 'info'),
  r('/_cluster/health', ['GET'], 'health', 'cluster'),
  r('/_cluster/health/{index}', ['GET'], 'health', 'cluster'),
  r('/_capabilities', ['GET'], 'capabilities', 'other'),
  r('/_refresh', ['GET', 'POST'], 'refresh', 'refresh'),
  r('/{index}/_refresh', ['GET', 'POST'], 'refresh', 'refresh'),
  r('/_bulk', ['POST', 'PUT'], 'bulk', 'bulk'),
  r('/{index}/_bulk', ['POST', 'PUT'], 'bulk', 'bulk'),
  r('/_mget', ['GET', 'POST'], 'mget', 'mget'),
  r('/{index}/_mget', ['GET', 'POST'], 'mget', 'mget'),
  r('/_search', ['GET', 'POST'], 'search', 'search'),
  r('/{index}/_search', ['GET', 'POST'], 'search', 'search'),
  r('/_count', ['GET', 'POST'], 'count', 'count'),
  r('/{index}/_count', ['GET', 'POST'], 'count', 'count'),
  r('/{index}/_delete_by_query', ['POST'], 'delete_by_query', 'delete_by_query'),
  r('/_mapping', ['GET'], 'get_mapping', 'index_admin'),
  r('/{index}/_mapping', ['GET'], 'get_mapping', 'index_admin'),
  r('/{index}/_mapping', ['PUT', 'POST'], 'put_mapping', 'index_admin'),
  r('/_settings', ['GET'], 'get_settings', 'index_admin'),
  r('/_settings', ['PUT'], 'put_settings', 'index_admin'),
  r('/_settings/{name}', ['GET'], 'get_settings', 'index_admin'),
  r('/{index}/_settings', ['GET'], 'get_settings', 'index_admin'),
  r('/{index}/_settings', ['PUT'], 'put_settings', 'index_admin'),
  r('/{index}/_settings/{name}', ['GET'], 'get_settings', 'index_admin'),
  r('/_index_template', ['GET'], 'get_template', 'index_admin'),
  r('/_index_template/{name}', ['GET', 'HEAD'], 'get_template', 'index_admin'),
  r('/_index_template/{name}', ['PUT', 'POST'], 'put_template', 'index_admin'),
  r('/_index_template/{name}', ['DELETE'], 'delete_template', 'index_admin'),
  r('/{index}', ['PUT'], 'create_index', 'index_admin'),
  r('/{index}', ['DELETE'], 'delete_index', 'index_admin'),
  r('/{index}', ['GET'], 'get_index', 'index_admin'),
  r('/{index}', ['HEAD'], 'exists_index', 'index_admin'),
  r('/{index}/_doc', ['POST'], 'index_doc', 'index'),
  r('/{index}/_doc/{id}', ['PUT', 'POST'], 'index_doc', 'index'),
  r('/{index}/_doc/{id}', ['GET', 'HEAD'], 'get_doc', 'get'),
  r('/{index}/_doc/{id}', ['DELETE'], 'delete_doc', 'delete'),
  r('/{index}/_create/{id}', ['PUT', 'POST'], 'create_doc', 'index'),
  r('/{index}/_update/{id}', ['POST'], 'update_doc', 'update'),
  r('/{index}/_source/{id}', ['GET', 'HEAD'], 'get_source', 'get'),
];

export interface Matched {
  readonly route: Route;
  readonly parts: Record<string, string>;
}

/** Routes by segment count, best score first (a stable sort keeps listing order among equals). */
const byLength: Route[][] = [];
for (const route of routes) (byLength[route.pattern.length] ??= []).push(route);
byLength.forEach((list) => list.sort((a, b) => b.score - a.score));

function matches(pattern: readonly string[], segs: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    if (p.charCodeAt(0) !== 123 /* { */ && p !== segs[i]) return false;
  }
  return true;
}

/** Non-empty path segments, percent-decoded; one pass, no intermediate arrays. */
export function splitPath(path: string): string[] {
  const segs: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47 /* / */) {
      if (i > start) segs.push(decodeSegment(path.slice(start, i)));
      start = i + 1;
    }
  }
  return segs;
}

/** Find the route; unknown paths and wrong methods get Elasticsearch's 400 / 405. */
export function matchRoute(method: Method, path: string): Matched {
  const segs = splitPath(path);
  const list = byLength[segs.length] ?? [];
  let first = -1;
  let hit: Route | undefined;
  for (let i = 0; i < list.length; i++) {
    const rt = list[i];
    if (rt === undefined || !matches(rt.pattern, segs)) continue;
    if (first < 0) first = i;
    else if (rt.score !== list[first]?.score) break;
    if (rt.methods.includes(method)) {
      hit = rt;
      break;
    }
  }
  if (first < 0) throw illegalArgument(`no handler found for uri [${path}] and method [${method}]`);
  if (!hit) {
    const best = list[first]?.score;
    const same = list.filter((c) => c.score === best && matches(c.pattern, segs));
    const allowed = [...new Set(same.flatMap((c) => c.methods))].sort();
    throw new MethodNotAllowed(path, method, allowed);
  }
  const parts: Record<string, string> = {};
  for (const [i, name] of hit.slots) parts[name] = segs[i] ?? '';
  return { route: hit, parts };
}

/** 405 with Elasticsearch's plain-string error body and an Allow header. */
export class MethodNotAllowed extends EsError {
  readonly allowed: readonly string[];
  constructor(path: string, method: string, allowed: readonly string[]) {
    const reason = `Incorrect HTTP method for uri [${path}] and method [${method}], allowed: [${allowed.join(', ')}]`;
    super(405, { type: 'method_not_allowed', reason });
    this.allowed = allowed;
  }

}
