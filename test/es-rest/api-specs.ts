/**
 * Elasticsearch's JSON REST API specs, and turning a `do:` call into an HTTP request with them:
 * arguments naming path parts fill the path (the variant whose parts are all given, preferring
 * the most specific), known params go to the query string, `body` becomes JSON or NDJSON.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ApiPath {
  readonly path: string;
  readonly methods: readonly string[];
  readonly parts: readonly string[];
}

export interface ApiSpec {
  readonly name: string;
  readonly paths: readonly ApiPath[];
  readonly params: ReadonlySet<string>;
  /** Body sent as NDJSON (`serialize: bulk`). */
  readonly ndjson: boolean;
  readonly bodyAllowed: boolean;
  readonly bodyRequired: boolean;
}

export type ApiSpecs = ReadonlyMap<string, ApiSpec>;

export interface HttpRequest {
  readonly method: string;
  /** Path plus query string. */
  readonly path: string;
  readonly body?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** Raised before sending, for what Elasticsearch's client rejects (`catch: param`). */
export class RequestBuildError extends Error {
  override readonly name = 'RequestBuildError';
}

interface RawSpec {
  url?: {
    // 7.x+ specs list path objects; 6.x-era specs list path strings with shared parts and params
    paths?: ({ path: string; methods: string[]; parts?: Record<string, unknown> } | string)[];
    params?: Record<string, unknown>;
  };
  methods?: string[];
  params?: Record<string, unknown>;
  body?: { required?: boolean; serialize?: string } | null;
  headers?: { content_type?: string[] };
}

export async function loadApiSpecs(dir: string): Promise<ApiSpecs> {
  const specs = new Map<string, ApiSpec>();
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  let common: ReadonlySet<string> = new Set();
  const raws: [string, RawSpec][] = [];
  for (const file of files) {
    const json = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, unknown>;
    if (file === '_common.json') {
      common = new Set(Object.keys((json['params'] ?? {}) as Record<string, unknown>));
      continue;
    }
    for (const [name, raw] of Object.entries(json)) raws.push([name, raw as RawSpec]);
  }
  for (const [name, raw] of raws) {
    const paths = (raw.url?.paths ?? []).map((p) =>
      typeof p === 'string'
        ? { path: p, methods: raw.methods ?? ['GET'], parts: [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '') }
        : { path: p.path, methods: p.methods, parts: Object.keys(p.parts ?? {}) },
    );
    specs.set(name, {
      name,
      paths,
      params: new Set([...common, ...Object.keys(raw.params ?? {}), ...Object.keys(raw.url?.params ?? {})]),
      ndjson: raw.body?.serialize === 'bulk' || (raw.headers?.content_type ?? []).includes('application/x-ndjson'),
      bodyAllowed: raw.body !== undefined && raw.body !== null,
      bodyRequired: raw.body?.required === true,
    });
  }
  return specs;
}

/** Query/part values as the client renders them: lists comma-joined, booleans and numbers as text. */
function render(value: unknown): string {
  if (Array.isArray(value)) return value.map(render).join(',');
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Encode a path part but keep `,` and `*` readable, as the Java client does. */
function encodePart(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%2A/gi, '*');
}

export function buildRequest(
  spec: ApiSpec,
  args: Readonly<Record<string, unknown>>,
  headers: Readonly<Record<string, string>> = {},
): HttpRequest {
  const partNames = new Set(spec.paths.flatMap((p) => p.parts));
  const parts = new Map<string, string>();
  const query: string[] = [];
  let body: unknown;
  let hasBody = false;
  for (const [key, value] of Object.entries(args)) {
    if (key === 'body') {
      body = value;
      hasBody = true;
    } else if (partNames.has(key)) {
      const text = render(value);
      // an empty list or string names no index: the path without that part applies
      if (text !== '') parts.set(key, text);
    } else {
      // Unlike Elasticsearch's client, parameters missing from the spec are sent anyway: the
      // specs here are from other versions than some tests, and the engine must answer unknown
      // parameters with Elasticsearch's 400 itself.
      query.push(`${encodeURIComponent(key)}=${encodeURIComponent(render(value))}`);
    }
  }
  // The most specific path whose parts are all given and that uses no part that is missing.
  const candidates = spec.paths
    .filter((p) => p.parts.every((part) => parts.has(part)))
    .sort((a, b) => b.parts.length - a.parts.length);
  const chosen = candidates.find((p) => p.parts.length === parts.size) ?? candidates[0];
  if (chosen === undefined) {
    throw new RequestBuildError(`no path of [${spec.name}] api takes the parts [${[...parts.keys()].join(', ')}]`);
  }
  const unused = [...parts.keys()].filter((p) => !chosen.parts.includes(p));
  if (unused.length > 0) {
    throw new RequestBuildError(`path part [${unused.join(', ')}] not supported by the chosen [${spec.name}] path`);
  }
  if (spec.bodyRequired && !hasBody) throw new RequestBuildError(`body is required by [${spec.name}] api`);
  if (hasBody && !spec.bodyAllowed) throw new RequestBuildError(`body is not supported by [${spec.name}] api`);
  let path = chosen.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodePart(parts.get(name) ?? ''));
  if (query.length > 0) path += `?${query.join('&')}`;
  const methods = chosen.methods;
  // With a body, the first listed PUT/POST (GET with a body is legal in Elasticsearch but unusual).
  const method = (hasBody ? methods.find((m) => m === 'PUT' || m === 'POST') : undefined) ?? methods[0] ?? 'GET';
  const out: Record<string, string> = {};
  let text: string | undefined;
  if (hasBody) {
    text = serializeBody(body, spec.ndjson);
    out['content-type'] = spec.ndjson ? 'application/x-ndjson' : 'application/json';
  }
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return { method, path, body: text, headers: out };
}

function serializeBody(body: unknown, ndjson: boolean): string {
  if (ndjson) {
    if (typeof body === 'string') return body.endsWith('\n') ? body : `${body}\n`;
    const lines = Array.isArray(body) ? body : [body];
    return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  }
  return typeof body === 'string' ? body : JSON.stringify(body);
}
