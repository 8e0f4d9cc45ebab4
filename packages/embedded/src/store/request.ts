import type { EngineRequest } from '../contracts.js';
import { EsError } from '../errors.js';
import { illegalArgument, jsonParse, unrecognizedParams } from './store-errors.js';

/** Parameters every API accepts (`_common.json`). */
const commonParams = new Set(['pretty', 'human', 'error_trace', 'filter_path', 'source', 'source_content_type', 'format']);

/**
 * Query parameters of one request: handlers read what they support, and `done()` rejects the
 * rest the way Elasticsearch does, so an unsupported parameter is never silently ignored.
 */
export class Params {
  /** Names read or accepted; only tracked when the request has parameters (most hot-path requests have none). */
  private readonly used: Set<string> | undefined;
  constructor(
    private readonly req: EngineRequest,
  ) {
    this.used = hasKeys(req.query) ? new Set() : undefined;
  }

  has(name: string): boolean {
    if (this.used === undefined) return false;
    this.used.add(name);
    return this.req.query[name] !== undefined;
  }

  str(name: string): string | undefined {
    if (this.used === undefined) return undefined;
    this.used.add(name);
    return this.req.query[name];
  }

  /** Mark parameters as accepted without acting on them (timeouts, wait_for_active_shards...). */
  accept(...names: string[]): void {
    if (this.used === undefined) return;
    for (const n of names) this.used.add(n);
  }

  bool(name: string, dflt: boolean): boolean {
    const v = this.str(name);
    if (v === undefined) return dflt;
    if (v === '' || v === 'true') return true;
    if (v === 'false') return false;
    throw illegalArgument(`Failed to parse value [${v}] as only [true] or [false] are allowed.`);
  }

  int(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n)) throw illegalArgument(`Failed to parse int parameter [${name}] with value [${v}]`);
    return n;
  }

  long(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n)) throw illegalArgument(`Failed to parse long parameter [${name}] with value [${v}]`);
    return n;
  }

  /** Comma-separated list parameter. */
  list(name: string): string[] | undefined {
    const v = this.str(name);
    return v === undefined ? undefined : v.split(',').filter((s) => s !== '');
  }

  done(): void {
    const used = this.used;
    if (used === undefined) return;
    const unknown = Object.keys(this.req.query).filter((k) => !used.has(k) && !commonParams.has(k));
    if (unknown.length) throw unrecognizedParams(this.req.path, unknown);
  }
}

function hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

export function bodyText(req: EngineRequest): string | undefined {
  if (req.body === undefined || req.body.length === 0) return undefined;
  return req.body.toString('utf8');
}

/** Parse a JSON body, raising Elasticsearch's parse error for malformed JSON. */
export function jsonBody(req: EngineRequest): unknown {
  const text = bodyText(req);
  if (text === undefined || text.trim() === '') return undefined;
  return parseJson(text);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw jsonParse(e instanceof Error ? e.message : String(e));
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A required JSON object body. */
export function objectBody(req: EngineRequest, what: string): Record<string, unknown> {
  const body = jsonBody(req);
  if (body === undefined) throw new EsError(400, { type: 'action_request_validation_exception', reason: `Validation Failed: 1: ${what} is missing;` });
  if (!isObject(body)) throw new EsError(400, { type: 'parsing_exception', reason: `request body is required to be an object`, line: 1, col: 1 });
  return body;
}

/** Decode one path segment (the router receives raw paths). */
export function decodeSegment(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw illegalArgument(`unable to decode path segment [${s}]`);
  }
}
