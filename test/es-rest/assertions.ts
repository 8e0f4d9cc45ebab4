/**
 * The assertion steps of a YAML test (`match`, `is_true`, `length`, `gt`, `contains`, `set`,
 * `close_to`, …), evaluated against the last response body with Elasticsearch's runner semantics.
 */
import { compileCommentsRegex, deepDiff, isRegexLiteral, show } from './compare.js';
import { evaluatePath } from './object-path.js';
import type { Stash } from './stash.js';

export const assertionKinds = [
  'match',
  'is_true',
  'is_false',
  'length',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'set',
  'close_to',
  'exists',
  'not_exists',
] as const;
export type AssertionKind = (typeof assertionKinds)[number];

export function isAssertionKind(kind: string): kind is AssertionKind {
  return (assertionKinds as readonly string[]).includes(kind);
}

/** Thrown when an assertion does not hold; the message is the one-line reason. */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

/**
 * Evaluate one assertion step. `value` is the YAML value under the assertion key: a one-entry
 * map `{ path: expected }` or, for `is_true`/`is_false`, the path itself.
 */
export function runAssertion(kind: AssertionKind, value: unknown, body: unknown, stash: Stash): void {
  if (kind === 'exists' || kind === 'not_exists') {
    const path = typeof value === 'string' ? value : String(value);
    const actual = read(body, path, stash);
    const present = actual !== undefined && actual !== null;
    if (kind === 'exists' && !present) fail(`exists [${path}]: was ${show(actual)}`);
    if (kind === 'not_exists' && present) fail(`not_exists [${path}]: was ${show(actual)}`);
    return;
  }
  if (kind === 'is_true' || kind === 'is_false') {
    const path = typeof value === 'string' ? value : String(value);
    const actual = read(body, path, stash);
    const truthy = isTruthy(actual);
    if (kind === 'is_true' && !truthy) fail(`is_true [${path}]: was ${show(actual)}`);
    if (kind === 'is_false' && truthy) fail(`is_false [${path}]: was ${show(actual)}`);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`${kind}: expected a {path: value} map, got ${show(value)}`);
  }
  for (const [path, rawExpected] of Object.entries(value)) {
    const actual = read(body, path, stash);
    switch (kind) {
      case 'set': {
        if (typeof rawExpected !== 'string') fail(`set [${path}]: stash name must be a string`);
        stash.set(rawExpected, actual);
        break;
      }
      case 'match':
        match(path, actual, stash.replace(rawExpected));
        break;
      case 'length':
        length(path, actual, stash.replace(rawExpected));
        break;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        compareNumbers(kind, path, actual, stash.replace(rawExpected));
        break;
      case 'contains':
        contains(path, actual, stash.replace(rawExpected));
        break;
      case 'close_to':
        closeTo(path, actual, stash.replace(rawExpected));
        break;
    }
  }
}

function read(body: unknown, path: string, stash: Stash): unknown {
  return evaluatePath(body, path, (s) => stash.resolveSegment(s));
}

function fail(message: string): never {
  throw new AssertionFailure(message);
}

/** As the runner: null, and values whose text is "", "false" (any case) or "0", are false. */
function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return !(text === '' || text.toLowerCase() === 'false' || text === '0');
}

function match(path: string, actual: unknown, expected: unknown): void {
  if (isRegexLiteral(expected)) {
    if (typeof actual !== 'string') fail(`match [${path}]: expected a string matching ${expected} but was ${show(actual)}`);
    if (!compileCommentsRegex(expected).test(actual)) fail(`match [${path}]: ${show(actual)} does not match ${expected}`);
    return;
  }
  const diff = deepDiff(actual, expected);
  if (diff !== undefined) fail(`match [${path}]: ${diff}`);
}

function length(path: string, actual: unknown, expected: unknown): void {
  let n: number;
  if (Array.isArray(actual) || typeof actual === 'string') n = actual.length;
  else if (actual !== null && typeof actual === 'object') n = Object.keys(actual).length;
  else fail(`length [${path}]: expected a list, map or string but was ${show(actual)}`);
  if (n !== Number(expected)) fail(`length [${path}]: expected ${show(expected)} but was ${n}`);
}

function compareNumbers(kind: 'gt' | 'gte' | 'lt' | 'lte', path: string, actual: unknown, expected: unknown): void {
  const a = typeof actual === 'string' && actual !== '' && !Number.isNaN(Number(actual)) ? Number(actual) : actual;
  const e = typeof expected === 'string' && expected !== '' && !Number.isNaN(Number(expected)) ? Number(expected) : expected;
  if (typeof a !== 'number' && typeof a !== 'string') fail(`${kind} [${path}]: value is ${show(actual)}`);
  if (typeof e !== typeof a) fail(`${kind} [${path}]: cannot compare ${show(actual)} with ${show(expected)}`);
  const ok =
    kind === 'gt'
      ? (a as number) > (e as number)
      : kind === 'gte'
        ? (a as number) >= (e as number)
        : kind === 'lt'
          ? (a as number) < (e as number)
          : (a as number) <= (e as number);
  if (!ok) fail(`${kind} [${path}]: ${show(actual)} is not ${kind} ${show(expected)}`);
}

/** A list contains the expected item; expected maps match an item holding all their entries. */
function contains(path: string, actual: unknown, expected: unknown): void {
  if (!Array.isArray(actual)) fail(`contains [${path}]: expected a list but was ${show(actual)}`);
  const found = actual.some((item) => {
    if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
      if (item === null || typeof item !== 'object') return false;
      const rec = item as Record<string, unknown>;
      return Object.entries(expected).every(([k, v]) => deepDiff(rec[k], v) === undefined);
    }
    return deepDiff(item, expected) === undefined;
  });
  if (!found) fail(`contains [${path}]: ${show(actual)} does not contain ${show(expected)}`);
}

function closeTo(path: string, actual: unknown, expected: unknown): void {
  if (expected === null || typeof expected !== 'object') fail(`close_to [${path}]: expected {value, error}`);
  const { value, error } = expected as { value?: unknown; error?: unknown };
  if (typeof value !== 'number' || typeof error !== 'number') fail(`close_to [${path}]: expected numeric value and error`);
  if (typeof actual !== 'number') fail(`close_to [${path}]: value is ${show(actual)}`);
  if (Math.abs(actual - value) > error) fail(`close_to [${path}]: ${actual} is not within ${error} of ${value}`);
}
