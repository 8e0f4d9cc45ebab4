import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { EngineRequest } from '../contracts.js';
import type { EnginePort } from './engine-port.js';
import type { Faults } from './faults.js';
import { dispatch } from './respond.js';

/*
 * An in-process Connection for the official client, 8.x and 9.x. It is duck-typed against the
 * transport's BaseConnection (the fields the connection pools read and write, `request`, `close`)
 * so @esjobs/embedded does not depend on the client at runtime. Errors carry the `name`s the
 * transport dispatches on ('ConnectionError', 'TimeoutError', 'RequestAbortedError').
 */

type HeaderValue = string | string[] | number | undefined;

/** What the client's connection pool passes to `new Connection(opts)`. */
export interface EmbeddedConnectionOptions {
  readonly url: URL;
  readonly id?: string;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
  readonly auth?: { username: string; password: string } | { apiKey: string | { id: string; api_key: string } } | { bearer: string };
  readonly status?: string;
  readonly timeout?: number | null;
  readonly roles?: Record<string, boolean>;
  readonly [key: string]: unknown;
}

export interface EmbeddedRequestParams {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, HeaderValue>> | undefined;
  readonly body?: string | Buffer | Readable | null | undefined;
  readonly querystring?: string | undefined;
}

export interface EmbeddedRequestOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeout?: number | null | undefined;
  readonly asStream?: boolean | undefined;
  readonly [key: string]: unknown;
}

export interface EmbeddedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface EmbeddedConnection {
  url: URL;
  id: string;
  headers: Record<string, string>;
  status: string;
  weight: number;
  deadCount: number;
  resurrectTimeout: number;
  _openRequests: number;
  request(params: EmbeddedRequestParams, options?: EmbeddedRequestOptions): Promise<EmbeddedResponse>;
  close(): Promise<void>;
}

export type EmbeddedConnectionClass = new (opts: EmbeddedConnectionOptions) => EmbeddedConnection;

export interface ClientConnectionOptions {
  /** Fault injection applied to requests on this transport. */
  readonly faults?: Faults | undefined;
}

class TransportLikeError extends Error {
  constructor(name: 'ConnectionError' | 'TimeoutError' | 'RequestAbortedError', message: string) {
    super(message);
    this.name = name;
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']);

/**
 * Returns a Connection class to pass to the official client:
 * `new Client({ node: 'http://embedded.invalid', Connection: createEmbeddedClientConnection(engine) })`.
 */
export function createEmbeddedClientConnection(engine: EnginePort, options: ClientConnectionOptions = {}): EmbeddedConnectionClass {
  const faults = options.faults;
  faults?.attach(engine);

  return class EmbeddedClientConnection implements EmbeddedConnection {
    static readonly statuses = { ALIVE: 'alive', DEAD: 'dead' };
    url: URL;
    id: string;
    headers: Record<string, string>;
    status: string;
    weight = 0;
    deadCount = 0;
    resurrectTimeout = 0;
    _openRequests = 0;
    timeout: number | null;
    roles: Record<string, boolean> | undefined;
    tls = null;
    maxEventListeners = 100;

    constructor(opts: EmbeddedConnectionOptions) {
      this.url = opts.url;
      this.id = opts.id ?? stripAuth(opts.url);
      this.headers = { ...flattenHeaders(opts.headers), ...authHeader(opts.auth) };
      this.status = opts.status ?? 'alive';
      this.timeout = opts.timeout ?? null;
      this.roles = opts.roles;
    }

    async request(params: EmbeddedRequestParams, reqOptions: EmbeddedRequestOptions = {}): Promise<EmbeddedResponse> {
      if (reqOptions.asStream === true) throw new TypeError('the embedded connection does not support asStream');
      this._openRequests++;
      try {
        const body = params.body;
        const req = needsRead(body) ? await toEngineRequestAsync(params, body, this.headers) : toEngineRequest(params, this.headers, plainBody(body));
        const outcome = await withDeadline(dispatch(engine, faults, req), reqOptions.signal, reqOptions.timeout ?? this.timeout);
        if (outcome.drop) throw new TransportLikeError('ConnectionError', 'other side closed (embedded engine dropped the connection)');
        return { statusCode: outcome.status, headers: outcome.headers, body: req.method === 'HEAD' ? '' : outcome.body };
      } finally {
        this._openRequests--;
      }
    }

    async close(): Promise<void> {
      // Nothing to release: no sockets. The engine's lifetime belongs to whoever created it.
    }

    toJSON(): Record<string, unknown> {
      return { url: this.url.href, id: this.id, status: this.status, embedded: true };
    }
  };
}

function toEngineRequest(params: EmbeddedRequestParams, base: Readonly<Record<string, string>>, raw: Buffer | string | undefined): EngineRequest {
  const method = params.method.toUpperCase();
  if (!METHODS.has(method)) throw new TypeError(`unsupported HTTP method [${params.method}]`);
  // One object: the connection's headers, then the request's, lower-cased.
  const headers: Record<string, string> = Object.assign({}, base);
  if (params.headers) addHeaders(headers, params.headers);
  let body = raw === undefined ? undefined : typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const encoding = headers['content-encoding'];
  if (body && encoding) {
    const e = encoding.toLowerCase();
    if (e.includes('gzip')) body = gunzipSync(body);
    else if (e.includes('deflate')) body = inflateSync(body);
  }
  const path = params.path.startsWith('/') ? params.path : `/${params.path}`;
  return { method: method as EngineRequest['method'], path, query: parseQuery(params.querystring), body, headers };
}

/** A body the client hands over as a stream must be read first (the usual string or Buffer need not). */
function needsRead(body: EmbeddedRequestParams['body']): body is Readable {
  return body !== null && body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);
}

function plainBody(body: EmbeddedRequestParams['body']): Buffer | string | undefined {
  if (body === null || body === undefined || body === '') return undefined;
  if (typeof body === 'string') return body;
  return Buffer.isBuffer(body) && body.length > 0 ? body : undefined;
}

async function toEngineRequestAsync(params: EmbeddedRequestParams, stream: Readable, base: Readonly<Record<string, string>>): Promise<EngineRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const all = Buffer.concat(chunks);
  return toEngineRequest(params, base, all.length === 0 ? undefined : all);
}

export function parseQuery(querystring: string | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  if (!querystring) return query;
  // The client's usual `a=b&c=d` needs no decoding; anything escaped goes through URLSearchParams.
  if (/[%+]/.test(querystring)) {
    for (const [k, v] of new URLSearchParams(querystring)) query[k] = v;
    return query;
  }
  for (const pair of querystring.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) query[pair] = '';
    else query[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return query;
}

function flattenHeaders(headers: Readonly<Record<string, HeaderValue>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) addHeaders(out, headers);
  return out;
}

function addHeaders(out: Record<string, string>, headers: Readonly<Record<string, HeaderValue>>): void {
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
}

function authHeader(auth: EmbeddedConnectionOptions['auth']): Record<string, string> {
  if (!auth) return {};
  if ('username' in auth) return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
  if ('apiKey' in auth) {
    const key = typeof auth.apiKey === 'string' ? auth.apiKey : Buffer.from(`${auth.apiKey.id}:${auth.apiKey.api_key}`).toString('base64');
    return { authorization: `ApiKey ${key}` };
  }
  return { authorization: `Bearer ${auth.bearer}` };
}

function stripAuth(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/** Honours the client's AbortSignal and request timeout without leaving timers behind. */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal | undefined, timeoutMs: number | null): Promise<T> {
  if (!signal && !timeoutMs) return work;
  if (signal?.aborted) return Promise.reject(new TransportLikeError('RequestAbortedError', 'Request aborted'));
  return new Promise<T>((resolve, reject) => {
    const timer = timeoutMs ? setTimeout(() => finish(() => reject(new TransportLikeError('TimeoutError', 'Request timed out'))), timeoutMs) : undefined;
    const onAbort = (): void => finish(() => reject(new TransportLikeError('RequestAbortedError', 'Request aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });
    function finish(settle: () => void): void {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
    work.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}
