import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { EngineRequest, EngineResponse } from '../contracts.js';
import { authEnabled, authenticate, wwwAuthenticate } from './auth.js';
import { formatByteSize } from './byte-size.js';
import type { EnginePort } from './engine-port.js';
import { Faults } from './faults.js';
import { parseQuery } from './client-connection.js';
import { dispatch, errorResponse, render } from './respond.js';
import type { ServerOptions } from './server-options.js';
import { withDefaults } from './server-options.js';

export interface EngineServer {
  /** `http://host:port`, ready for `new Client({ node: url })`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Runtime fault control for this server's requests. */
  readonly faults: Faults;
  /** Stops accepting, lets in-flight requests finish (up to closeGraceMs), closes keep-alive sockets. */
  close(): Promise<void>;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']);

class BodyTooLarge extends Error {}

/** Serves the engine over HTTP/1.1 with Elasticsearch's wire behaviour. */
export async function serveEngine(engine: EnginePort, options: ServerOptions = {}): Promise<EngineServer> {
  const opts = withDefaults(options);
  const faults = opts.faults instanceof Faults ? opts.faults : new Faults(opts.faults ?? {});
  faults.attach(engine);
  const secured = authEnabled(opts.auth);
  const sockets = new Set<Socket>();

  const server = createServer({ keepAlive: true, keepAliveTimeout: opts.keepAliveTimeoutMs }, (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      // A bug in io/, not an engine answer: report it like Elasticsearch reports internal errors.
      if (!res.headersSent) send(req, res, errorResponse(500, 'exception', err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = requestHeaders(req);
    if (secured) {
      const denied = authenticate(opts.auth, headers.authorization, path);
      if (denied) return drainAndSend(req, res, denied);
    }
    if (!METHODS.has(method)) {
      return drainAndSend(req, res, {
        status: 405,
        body: { error: `Incorrect HTTP method for uri [${rawUrl}] and method [${method}]`, status: 405 },
      });
    }
    const declared = Number(headers['content-length'] ?? 0);
    if (declared > opts.maxBodyBytes) return tooLarge(req, res, declared);
    let body: Buffer | undefined;
    try {
      // Most GETs carry no body: no need to wait for the stream (Node discards what is left after the answer).
      if (declared > 0 || headers['transfer-encoding'] !== undefined) body = await readBody(req, headers['content-encoding'], opts.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) return tooLarge(req, res, undefined);
      return send(req, res, errorResponse(400, 'parse_exception', `could not read the request body: ${err instanceof Error ? err.message : String(err)}`));
    }
    const request: EngineRequest = { method: method as EngineRequest['method'], path, query: parseQuery(q < 0 ? '' : rawUrl.slice(q + 1)), body, headers };
    const outcome = await dispatch(engine, faults, request);
    if (outcome.drop) {
      req.socket.destroy();
      return;
    }
    // One UTF-8 encoding, outside the JS heap: given a string, Node joins the header block and the
    // body into a new string for every response (a copy of each search's hits for the GC to move).
    const payload = Buffer.from(outcome.body);
    // render() built this object for this response alone: add to it rather than copy it
    outcome.headers['content-length'] = String(payload.length);
    res.writeHead(outcome.status, outcome.headers);
    if (method === 'HEAD') res.end();
    else res.end(payload);
  }

  function tooLarge(req: IncomingMessage, res: ServerResponse, size: number | undefined): void {
    const limit = formatByteSize(opts.maxBodyBytes);
    const what = size === undefined ? 'the request body' : `the request body of ${size} bytes`;
    res.setHeader('connection', 'close');
    send(req, res, errorResponse(413, 'content_too_long_exception', `${what} is larger than http.max_content_length [${limit}] (${opts.maxBodyBytes} bytes)`));
    // Don't read an oversized body; the connection is closed after the answer.
    req.resume();
  }

  function drainAndSend(req: IncomingMessage, res: ServerResponse, response: EngineResponse): void {
    req.resume();
    send(req, res, response);
  }

  function send(req: IncomingMessage, res: ServerResponse, response: EngineResponse): void {
    const request: EngineRequest = { method: 'GET', path: '/', query: {}, headers: requestHeaders(req) };
    const out = render(request, response);
    if (out.drop) return;
    const headers: Record<string, string | string[]> = { ...out.headers, 'content-length': String(Buffer.byteLength(out.body)) };
    if (response.status === 401) headers['www-authenticate'] = [...wwwAuthenticate];
    res.writeHead(out.status, headers);
    res.end(req.method === 'HEAD' ? undefined : out.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    faults,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const force = setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, opts.closeGraceMs);
        force.unref();
        server.once('close', () => clearTimeout(force));
      });
      return closing;
    },
  };
}

/**
 * Request headers with string values. Node lower-cases the names and joins repeated headers into
 * one string, except set-cookie, its only array-valued header: without it `req.headers` is usable as is.
 */
function requestHeaders(req: IncomingMessage): Record<string, string> {
  const raw = req.headers;
  if (raw['set-cookie'] === undefined) return raw as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** The whole body, decompressed, or undefined when empty; rejects past `limit` bytes. */
function readBody(req: IncomingMessage, encoding: string | undefined, limit: number): Promise<Buffer | undefined> {
  let stream: Readable = req;
  const enc = encoding?.toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') stream = req.pipe(createGunzip());
  else if (enc === 'deflate') stream = req.pipe(createInflate());
  // Plain listeners: an async iterator per request costs more than the rest of a small request's handling.
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      if (err) reject(err);
      else if (size === 0) resolve(undefined);
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        if (stream !== req) stream.destroy();
        settle(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => settle(undefined));
    stream.once('error', (err: Error) => settle(err));
    // a client that goes away mid-body never ends the stream
    req.once('close', () => {
      if (!req.complete) settle(new Error('the client closed the connection before sending the whole body'));
    });
  });
}
