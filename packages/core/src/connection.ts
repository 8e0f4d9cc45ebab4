/**
 * Where Elasticsearch comes from: a URL with credentials (options or `ESJOBS_ES_*` environment
 * variables), or the user's own @elastic/elasticsearch Client (8.x or 9.x, recognised by shape).
 * `checkConnection` turns the first contact into one clear error: unreachable (which URL, never
 * credentials), wrong credentials, or not Elasticsearch.
 *
 * Explicit options win over environment variables, field by field; `es` as a string is a URL.
 */
import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { parseDuration, type Duration } from './duration.js';
import { AuthenticationError, AuthorizationError, ConnectionError, EsJobsError, ValidationError } from './errors.js';
import { mapEsError, redactUrl } from './es-error-mapper.js';

/** The client's constructor options (not re-exported under a stable name by every client version). */
export type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;

export interface EsConnectionOptions {
  /**
   * Cluster URL (`https://host:9200`), or several for a multi-node pool.
   * @defaultValue `ESJOBS_ES_URL` (several URLs separated by commas)
   */
  readonly node?: string | readonly string[];
  /**
   * API key: the encoded form, or `{ id, api_key }`.
   * @defaultValue `ESJOBS_ES_API_KEY`
   */
  readonly apiKey?: string | { readonly id: string; readonly api_key: string };
  /**
   * Basic auth user (needs `password`).
   * @defaultValue `ESJOBS_ES_USERNAME`
   */
  readonly username?: string;
  /**
   * Basic auth password.
   * @defaultValue `ESJOBS_ES_PASSWORD`
   */
  readonly password?: string;
  /**
   * Bearer (service or OAuth) token.
   * @defaultValue `ESJOBS_ES_BEARER`
   */
  readonly bearer?: string;
  /**
   * Path to a PEM file with the CA that signed the cluster's certificate.
   * @defaultValue `ESJOBS_ES_CA_FILE`
   */
  readonly caFile?: string;
  /**
   * The CA certificate itself (PEM).
   * @defaultValue none
   */
  readonly ca?: string | Buffer;
  /**
   * SHA-256 fingerprint of the CA certificate (hex, with or without colons).
   * @defaultValue `ESJOBS_ES_CA_FINGERPRINT`
   */
  readonly caFingerprint?: string;
  /**
   * TLS switches. `rejectUnauthorized: false` accepts any certificate: for local testing only.
   * @defaultValue `{ rejectUnauthorized: true }`
   */
  readonly tls?: { readonly rejectUnauthorized?: boolean };
  /**
   * Time limit of one request.
   * @defaultValue 30000 (ms)
   */
  readonly requestTimeout?: Duration;
  /**
   * Client-level retries on connection errors and 502/503/504 (esjobs retries 429/503 itself).
   * @defaultValue 3
   */
  readonly maxRetries?: number;
}

/** Anything accepted as `es`: a Client (8.x or 9.x), a URL, or connection options. */
export type EsOption = Client | string | EsConnectionOptions;

export type Env = Readonly<Record<string, string | undefined>>;

export const requestTimeoutMsDefault = 30_000;
export const maxRetriesDefault = 3;

export const envVars = {
  url: 'ESJOBS_ES_URL',
  apiKey: 'ESJOBS_ES_API_KEY',
  username: 'ESJOBS_ES_USERNAME',
  password: 'ESJOBS_ES_PASSWORD',
  bearer: 'ESJOBS_ES_BEARER',
  caFile: 'ESJOBS_ES_CA_FILE',
  caFingerprint: 'ESJOBS_ES_CA_FINGERPRINT',
} as const;

export type ResolvedConnection =
  /** The user's own client: used as is, never closed by esjobs. */
  | { readonly kind: 'client'; readonly client: Client; readonly node: string | undefined }
  /** Options for a client esjobs creates (and closes). `node` is for messages: no credentials. */
  | { readonly kind: 'options'; readonly clientOptions: ClientOptions; readonly node: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** A Client of either major version, recognised by what esjobs calls on it. */
export function isClientLike(v: unknown): v is Client {
  if (!isRecord(v)) return false;
  return (
    typeof v.info === 'function' &&
    typeof v.search === 'function' &&
    typeof v.bulk === 'function' &&
    isRecord(v.indices) &&
    typeof v.close === 'function'
  );
}

/** The first node's URL of a client, without credentials, when the client exposes it. */
export function clientNode(client: unknown): string | undefined {
  if (!isRecord(client)) return undefined;
  const pool = client.connectionPool;
  const connections = isRecord(pool) ? pool.connections : undefined;
  const first: unknown = Array.isArray(connections) ? connections[0] : undefined;
  const url = isRecord(first) ? first.url : undefined;
  if (url instanceof URL || typeof url === 'string') return redactUrl(url);
  return undefined;
}

function envValue(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function nonEmpty(field: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(field, redactValue(field, v), 'must be a non-empty string');
  return v;
}

// Secrets are never echoed, even in validation errors.
function redactValue(field: string, v: unknown): unknown {
  return /apiKey|password|bearer/u.test(field) && v !== undefined && v !== '' ? '[redacted]' : v;
}

function validateNode(field: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(field, v, 'must be a URL like http://localhost:9200');
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw new ValidationError(field, redactUrl(v), 'is not a valid URL (expected e.g. https://host:9200)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(field, redactUrl(v), `must use http: or https: (got ${url.protocol})`);
  }
  return v.trim();
}

/**
 * Decide how to connect, without connecting. Throws ValidationError naming the field when the
 * configuration is unusable (no URL, two auth methods, half a username/password pair...).
 */
export function resolveConnection(es: unknown, env: Env = process.env): ResolvedConnection {
  if (isClientLike(es)) return { kind: 'client', client: es, node: clientNode(es) };
  let o: Record<string, unknown>;
  if (es === undefined) o = {};
  else if (typeof es === 'string') o = { node: es };
  else if (isRecord(es) && !Array.isArray(es)) o = es;
  else throw new ValidationError('es', es, 'must be a Client, a URL string, or connection options { node, apiKey, ... }');

  const known = new Set(['node', 'apiKey', 'username', 'password', 'bearer', 'caFile', 'ca', 'caFingerprint', 'tls', 'requestTimeout', 'maxRetries']);
  for (const key of Object.keys(o)) {
    if (!known.has(key)) throw new ValidationError(`es.${key}`, typeof o[key], `unknown option, value not shown (known: ${[...known].join(', ')})`);
  }

  // ESJOBS_ES_URL may list several nodes separated by commas (never part of a URL's host)
  const envUrl = envValue(env, envVars.url);
  const rawNode = o.node ?? (envUrl !== undefined && envUrl.includes(',') ? envUrl.split(',').map((u) => u.trim()) : envUrl);
  if (rawNode === undefined) {
    throw new ValidationError('es', undefined, `no Elasticsearch configured: pass es (a URL, options or a Client) or set ${envVars.url}`);
  }
  const nodes = Array.isArray(rawNode) ? rawNode.map((n, i) => validateNode(`es.node[${i}]`, n)) : [validateNode('es.node', rawNode)];
  const firstNode = nodes[0];
  if (firstNode === undefined) throw new ValidationError('es.node', rawNode, 'must list at least one URL');

  const apiKeyRaw = o.apiKey ?? envValue(env, envVars.apiKey);
  let apiKey: string | { id: string; api_key: string } | undefined;
  if (isRecord(apiKeyRaw)) {
    const id = nonEmpty('es.apiKey.id', apiKeyRaw.id);
    const key = nonEmpty('es.apiKey.api_key', apiKeyRaw.api_key);
    if (id === undefined || key === undefined) throw new ValidationError('es.apiKey', '[redacted]', 'must be a string or { id, api_key }');
    apiKey = { id, api_key: key };
  } else {
    apiKey = nonEmpty('es.apiKey', apiKeyRaw);
  }
  const username = nonEmpty('es.username', o.username ?? envValue(env, envVars.username));
  const password = nonEmpty('es.password', o.password ?? envValue(env, envVars.password));
  const bearer = nonEmpty('es.bearer', o.bearer ?? envValue(env, envVars.bearer));
  if ((username === undefined) !== (password === undefined)) {
    const missing = username === undefined ? 'username' : 'password';
    throw new ValidationError(`es.${missing}`, undefined, `basic auth needs both username and password (set es.${missing} or ${missing === 'username' ? envVars.username : envVars.password})`);
  }
  const methods = [apiKey !== undefined && 'apiKey', username !== undefined && 'username/password', bearer !== undefined && 'bearer'].filter(
    (m): m is string => typeof m === 'string',
  );
  if (methods.length > 1) throw new ValidationError('es', methods.join(' + '), 'use one authentication method: apiKey, username/password, or bearer');

  const caFile = nonEmpty('es.caFile', o.caFile ?? envValue(env, envVars.caFile));
  let ca: string | Buffer | undefined;
  if (o.ca !== undefined) {
    if (typeof o.ca !== 'string' && !Buffer.isBuffer(o.ca)) throw new ValidationError('es.ca', typeof o.ca, 'must be a PEM string or Buffer');
    ca = o.ca;
  }
  if (caFile !== undefined) {
    if (ca !== undefined) throw new ValidationError('es.caFile', caFile, 'give either ca or caFile, not both');
    try {
      ca = readFileSync(caFile);
    } catch (err) {
      throw new ValidationError('es.caFile', caFile, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  const caFingerprint = nonEmpty('es.caFingerprint', o.caFingerprint ?? envValue(env, envVars.caFingerprint));
  if (caFingerprint !== undefined && !/^([0-9a-f]{2}:?){31}[0-9a-f]{2}$/iu.test(caFingerprint)) {
    throw new ValidationError('es.caFingerprint', caFingerprint, 'must be a SHA-256 fingerprint: 64 hex digits, colons optional');
  }
  let rejectUnauthorized: boolean | undefined;
  if (o.tls !== undefined) {
    if (!isRecord(o.tls)) throw new ValidationError('es.tls', o.tls, 'must be an object { rejectUnauthorized }');
    const r = o.tls.rejectUnauthorized;
    if (r !== undefined && typeof r !== 'boolean') throw new ValidationError('es.tls.rejectUnauthorized', r, 'must be a boolean');
    rejectUnauthorized = r;
  }
  const requestTimeout = o.requestTimeout === undefined ? requestTimeoutMsDefault : parseDuration('es.requestTimeout', o.requestTimeout);
  const maxRetries = o.maxRetries ?? maxRetriesDefault;
  if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 20) {
    throw new ValidationError('es.maxRetries', maxRetries, 'must be an integer from 0 to 20');
  }

  const clientOptions: ClientOptions = {
    node: nodes.length === 1 ? firstNode : nodes,
    requestTimeout,
    maxRetries,
    ...(apiKey !== undefined ? { auth: { apiKey } } : {}),
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
    ...(bearer !== undefined ? { auth: { bearer } } : {}),
    ...(caFingerprint !== undefined ? { caFingerprint: caFingerprint.toUpperCase() } : {}),
    ...(ca !== undefined || rejectUnauthorized !== undefined
      ? { tls: { ...(ca !== undefined ? { ca } : {}), ...(rejectUnauthorized !== undefined ? { rejectUnauthorized } : {}) } }
      : {}),
  };
  return { kind: 'options', clientOptions, node: redactUrl(firstNode) };
}

export interface CreatedClient {
  readonly client: Client;
  /** URL of the (first) node without credentials, for messages. */
  readonly node: string | undefined;
  /** True when esjobs created the client and must close it; false for a user's own client. */
  readonly owned: boolean;
}

/** Build (or adopt) the client for `options.es`, falling back to `ESJOBS_ES_*` variables. */
export function createClient(options: { readonly es?: EsOption } = {}, env: Env = process.env): CreatedClient {
  const resolved = resolveConnection(options.es, env);
  if (resolved.kind === 'client') return { client: resolved.client, node: resolved.node, owned: false };
  return { client: new Client(resolved.clientOptions), node: resolved.node, owned: true };
}

export interface ConnectionInfo {
  readonly node: string | undefined;
  /** `version.number` of the cluster (undefined if the credentials may not read it). */
  readonly version: string | undefined;
  readonly clusterName: string | undefined;
}

export interface CheckConnectionOptions {
  /** URL for messages when the client does not expose one (credentials are stripped). */
  readonly node?: string;
  /**
   * Time limit of the probe.
   * @defaultValue 10000 (ms)
   */
  readonly timeout?: Duration;
}

/**
 * Contact the cluster once (`GET /`) and say clearly what is wrong: ConnectionError (unreachable,
 * or not Elasticsearch), AuthenticationError (wrong credentials), each naming the URL without
 * credentials. A 403 means reachable and authenticated (GET / may need the `monitor` privilege).
 */
export async function checkConnection(client: Client, options: CheckConnectionOptions = {}): Promise<ConnectionInfo> {
  const node = options.node === undefined ? clientNode(client) : redactUrl(options.node);
  const timeoutMs = options.timeout === undefined ? 10_000 : parseDuration('timeout', options.timeout);
  const at = node === undefined ? '' : ` at ${node}`;
  let info: unknown;
  try {
    info = await client.info(undefined, { requestTimeout: timeoutMs, maxRetries: 0 });
  } catch (raw) {
    const err = mapEsError(raw, { op: 'connect', node });
    if (err instanceof AuthorizationError) return { node, version: undefined, clusterName: undefined };
    if (err instanceof AuthenticationError) {
      throw new AuthenticationError(`Elasticsearch${at} rejected the credentials: check the API key / username and password (or ${envVars.apiKey} / ${envVars.username} / ${envVars.password} / ${envVars.bearer})`, { cause: raw });
    }
    if (err instanceof ConnectionError) throw err;
    if (err instanceof EsJobsError) {
      throw new ConnectionError(`the server${at} did not answer like Elasticsearch: ${err.message}`, { cause: raw });
    }
    throw err;
  }
  const body = isRecord(info) && isRecord(info.body) && 'statusCode' in info ? info.body : info;
  const version = isRecord(body) && isRecord(body.version) && typeof body.version.number === 'string' ? body.version.number : undefined;
  const clusterName = isRecord(body) && typeof body.cluster_name === 'string' ? body.cluster_name : undefined;
  if (version === undefined) throw new ConnectionError(`the server${at} is not Elasticsearch (GET / has no version.number)`);
  return { node, version, clusterName };
}
