/**
 * Value comparison with the YAML runner's rules: numbers compare by value whatever their YAML
 * type, objects must have exactly the same keys, and an expected string `/.../` is a regex in
 * Java's COMMENTS mode (whitespace and `# comments` ignored) that must be found in the actual text.
 */

/** True when `text` is written as a `/regex/` expectation. */
export function isRegexLiteral(value: unknown): value is string {
  return typeof value === 'string' && value.length > 2 && value.startsWith('/') && value.endsWith('/');
}

/** Compile a Java COMMENTS-mode regex body to a JS RegExp: drop unescaped whitespace and `#…` comments. */
export function compileCommentsRegex(literal: string): RegExp {
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch === '\\') {
      const next = body[i + 1] ?? '';
      // `\ ` and `\#` are literal in COMMENTS mode; JS wants them unescaped or escaped as-is
      out += next === ' ' ? ' ' : ch + next;
      i++;
    } else if (/\s/.test(ch)) {
      continue;
    } else if (ch === '#') {
      while (i < body.length && body[i] !== '\n') i++;
    } else {
      out += ch;
    }
  }
  // Java supports possessive quantifiers and \Q…\E rarely used in the suites; `(?s)`-style inline
  // flags are translated where JS has them.
  let flags = '';
  out = out.replace(/^\(\?([a-z]+)\)/, (_m, f: string) => {
    if (f.includes('s')) flags += 's';
    if (f.includes('i')) flags += 'i';
    if (f.includes('m')) flags += 'm';
    return '';
  });
  return new RegExp(out, flags);
}

/** Deep equality where numbers are compared by value. Returns a reason when unequal. */
export function deepDiff(actual: unknown, expected: unknown, at = ''): string | undefined {
  const where = at === '' ? '' : ` at [${at}]`;
  if (typeof expected === 'number' && typeof actual === 'number') {
    return actual === expected || (Number.isNaN(actual) && Number.isNaN(expected))
      ? undefined
      : `expected ${expected} but was ${actual}${where}`;
  }
  if (expected === null || expected === undefined) {
    return actual === null || actual === undefined ? undefined : `expected null but was ${show(actual)}${where}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `expected an array but was ${show(actual)}${where}`;
    if (actual.length !== expected.length) {
      return `expected ${expected.length} items but was ${actual.length}: ${show(actual)}${where}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = deepDiff(actual[i], expected[i], at === '' ? String(i) : `${at}.${i}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `expected an object but was ${show(actual)}${where}`;
    }
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!(key in a)) return `missing key [${key}]${where}`;
      const d = deepDiff(a[key], e[key], at === '' ? key : `${at}.${key}`);
      if (d !== undefined) return d;
    }
    const extra = Object.keys(a).filter((k) => !(k in e));
    if (extra.length > 0) return `unexpected keys [${extra.join(', ')}]${where}`;
    return undefined;
  }
  return actual === expected ? undefined : `expected ${show(expected)} but was ${show(actual)}${where}`;
}

/** Short JSON rendering for failure messages. */
export function show(value: unknown, max = 200): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
