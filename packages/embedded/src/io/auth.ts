import { Buffer } from 'node:buffer';
import { timingSafeEqual } from 'node:crypto';
import type { EngineResponse } from '../contracts.js';
import { errorResponse } from './respond.js';

/** Credentials the HTTP server accepts. With none configured, every request is allowed. */
export interface AuthOptions {
  /**
   * Basic-auth users: username → password.
   * @defaultValue no users
   */
  readonly users?: Readonly<Record<string, string>>;
  /**
   * API keys as `{ id, key }`; clients send `Authorization: ApiKey base64(id:key)`.
   * @defaultValue no keys
   */
  readonly apiKeys?: readonly { readonly id: string; readonly key: string }[];
}

export function authEnabled(auth: AuthOptions | undefined): boolean {
  return Object.keys(auth?.users ?? {}).length > 0 || (auth?.apiKeys?.length ?? 0) > 0;
}

export function validateAuth(auth: AuthOptions | undefined): void {
  for (const [user, password] of Object.entries(auth?.users ?? {})) {
    if (user === '' || user.includes(':')) throw new RangeError(`auth.users: user name must be non-empty without ":", got "${user}"`);
    if (typeof password !== 'string' || password === '') throw new RangeError(`auth.users["${user}"]: password must be a non-empty string`);
  }
  for (const [i, k] of (auth?.apiKeys ?? []).entries()) {
    if (!k.id || k.id.includes(':')) throw new RangeError(`auth.apiKeys[${i}].id must be non-empty without ":", got "${k.id}"`);
    if (!k.key) throw new RangeError(`auth.apiKeys[${i}].key must be a non-empty string`);
  }
}

// The challenges Elasticsearch sends with a 401 when security is on.
const CHALLENGES = ['Basic realm="security", charset="UTF-8"', 'ApiKey'];

/**
 * Checks the Authorization header; returns undefined when allowed, else Elasticsearch's 401.
 * Error texts name at most the user, never a password or key.
 */
export function authenticate(auth: AuthOptions, authorization: string | undefined, uri: string): EngineResponse | undefined {
  if (!authorization) return unauthorized(`missing authentication credentials for REST request [${uri}]`);
  const space = authorization.indexOf(' ');
  const scheme = authorization.slice(0, space < 0 ? undefined : space).toLowerCase();
  const token = space < 0 ? '' : authorization.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const expected = auth.users?.[user];
    if (colon >= 0 && expected !== undefined && Object.hasOwn(auth.users ?? {}, user) && safeEqual(decoded.slice(colon + 1), expected)) return undefined;
    return unauthorized(`unable to authenticate user [${user}] for REST request [${uri}]`);
  }
  if (scheme === 'apikey') {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = decoded.slice(0, colon);
    const match = auth.apiKeys?.find((k) => k.id === id);
    if (colon >= 0 && match && safeEqual(decoded.slice(colon + 1), match.key)) return undefined;
    return unauthorized('unable to authenticate with provided credentials and anonymous access is not allowed for this request');
  }
  return unauthorized(`missing authentication credentials for REST request [${uri}]`);
}

function unauthorized(reason: string): EngineResponse {
  const res = errorResponse(401, 'security_exception', reason, { header: { 'WWW-Authenticate': CHALLENGES } });
  return { ...res, headers: { 'www-authenticate': CHALLENGES.join(', ') } };
}

/** The challenges as separate header lines, as Elasticsearch sends them. */
export const wwwAuthenticate: readonly string[] = CHALLENGES;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
