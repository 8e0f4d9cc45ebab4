import { randomBytes } from 'node:crypto';

let counter = 0;
const pendingCleanup = new Set<string>();

/**
 * A fresh index prefix (lowercase, valid in index names) for one test. Indices named `<prefix>*`
 * are deleted after the test by the hooks of `forEachTarget`.
 */
export function uniquePrefix(label = 't'): string {
  counter++;
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[-_+]+/, '').slice(0, 20) || 't';
  const prefix = `${safe}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
  pendingCleanup.add(prefix);
  return prefix;
}

/** Prefixes handed out since the last call, for cleanup. */
export function takePrefixesToClean(): string[] {
  const all = [...pendingCleanup];
  pendingCleanup.clear();
  return all;
}
