/**
 * Job payloads must survive a JSON round trip through Elasticsearch unchanged. Anything that
 * JSON.stringify would silently drop, coerce or choke on is rejected up front with the JSON path
 * of the bad value, e.g. `payload.items[3].when: BigInt is not JSON-serializable`.
 *
 * Decisions (what JSON.stringify would do → what we do):
 * - BigInt (throws), functions and symbols (dropped), cycles (throws): rejected anywhere.
 * - `undefined`: rejected at the top level and inside arrays (would become null); an object
 *   property set to undefined is omitted, exactly like JSON.stringify (common for optional fields).
 * - NaN / ±Infinity (become null) and Invalid Date (becomes null): rejected.
 * - Values with `toJSON` (Date, Buffer, user classes that opt in) are serialized through it and
 *   the result is checked in turn; Date becomes an ISO string.
 * - Map, Set, RegExp, Error, typed arrays and other class instances without `toJSON` (would
 *   become `{}` or lose their prototype): rejected, naming the class. Plain objects, null-prototype
 *   objects, arrays and boxed primitives are fine.
 */
import { ValidationError } from './errors.js';

/** Default largest serialized payload: 512 KiB. */
export const maxPayloadBytesDefault = 512 * 1024;
/** Elasticsearch's default `http.max_content_length` is 100 MB; a payload must fit well below it. */
export const maxPayloadBytesCeiling = 64 * 1024 * 1024;
/** Deeper nesting is rejected (protects the stack and Elasticsearch's parser depth limits). */
export const maxPayloadDepth = 100;

export interface PayloadValidationOptions {
  /**
   * Largest serialized size in bytes (UTF-8).
   * @defaultValue 524288 (512 KiB)
   */
  readonly maxBytes?: number;
  /**
   * Root name used in error paths.
   * @defaultValue "payload"
   */
  readonly field?: string;
}

export interface SerializedPayload {
  /** The JSON text, ready to embed in a request body. */
  readonly json: string;
  /** Its size in bytes (UTF-8). */
  readonly bytes: number;
}

export function validateMaxPayloadBytes(value: unknown, field = 'maxPayloadBytes'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxPayloadBytesCeiling) {
    throw new ValidationError(field, value, `must be an integer number of bytes from 1 to ${maxPayloadBytesCeiling}`);
  }
  return value;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/u.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function className(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : Object.prototype.toString.call(value).slice(8, -1);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

function check(value: unknown, path: string, key: string | number, ancestors: object[], inArray: boolean): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(path, value, `${String(value)} is not JSON-serializable (it would become null)`);
    return;
  }
  if (typeof value === 'bigint') throw new ValidationError(path, value, 'BigInt is not JSON-serializable (convert it to a string or number)');
  if (typeof value === 'function') throw new ValidationError(path, value, 'a function is not JSON-serializable');
  if (typeof value === 'symbol') throw new ValidationError(path, value, 'a symbol is not JSON-serializable');
  if (value === undefined) {
    const where = ancestors.length === 0 ? 'at the top level' : 'in an array (it would become null)';
    if (ancestors.length === 0 || inArray) throw new ValidationError(path, value, `undefined is not JSON-serializable ${where}; use null`);
    return;
  }
  // typeof value === 'object' from here on
  const obj = value as object;
  if (ancestors.includes(obj)) throw new ValidationError(path, '[Circular]', 'circular reference is not JSON-serializable');
  if (ancestors.length >= maxPayloadDepth) throw new ValidationError(path, '[deep]', `nesting deeper than ${maxPayloadDepth} levels`);
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new ValidationError(path, obj, 'Invalid Date is not JSON-serializable (it would become null)');
    return;
  }
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const replaced: unknown = toJSON.call(obj, String(key));
    if (replaced !== obj) check(replaced, path, key, [...ancestors, obj], inArray);
    return;
  }
  if (obj instanceof Number || obj instanceof String || obj instanceof Boolean) {
    check(obj.valueOf(), path, key, ancestors, inArray);
    return;
  }
  if (Array.isArray(obj)) {
    ancestors.push(obj);
    // index loop, not forEach: holes in sparse arrays would become null too
    for (let i = 0; i < obj.length; i++) check((obj as unknown[])[i], childPath(path, i), i, ancestors, true);
    ancestors.pop();
    return;
  }
  if (!isPlainObject(obj)) {
    const name = className(obj);
    const hint = obj instanceof Map ? '; use Object.fromEntries(map)' : obj instanceof Set ? '; use Array.from(set)' : '; use a plain object or give the class a toJSON()';
    throw new ValidationError(path, name, `${name} is not JSON-serializable without loss${hint}`);
  }
  ancestors.push(obj);
  for (const k of Object.keys(obj)) check((obj as Record<string, unknown>)[k], childPath(path, k), k, ancestors, false);
  ancestors.pop();
}

/**
 * Check that `payload` round-trips through JSON and fits in `maxBytes`; return its JSON text and
 * size so callers do not serialize it twice. Throws ValidationError naming the path of the first
 * bad value, or the size and the limit.
 */
export function validatePayload(payload: unknown, options: PayloadValidationOptions = {}): SerializedPayload {
  const field = options.field ?? 'payload';
  const maxBytes = validateMaxPayloadBytes(options.maxBytes ?? maxPayloadBytesDefault, 'maxBytes');
  check(payload, field, '', [], false);
  const json = JSON.stringify(payload);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) {
    throw new ValidationError(field, `${bytes} bytes`, `is ${bytes} bytes serialized, over the limit of ${maxBytes} bytes (maxPayloadBytes); store large data elsewhere and pass a reference`);
  }
  return { json, bytes };
}
