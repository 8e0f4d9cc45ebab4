import { invalidIndexName } from './store-errors.js';

const forbidden = ['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ','];

/** Validate an index name as Elasticsearch's MetadataCreateIndexService does. */
export function validateIndexName(name: string): void {
  if (name !== name.toLowerCase()) throw invalidIndexName(name, 'must be lowercase');
  for (const c of forbidden) {
    if (name.includes(c)) throw invalidIndexName(name, 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]');
  }
  if (name.includes('#')) throw invalidIndexName(name, `must not contain '#'`);
  if (name.includes(':')) throw invalidIndexName(name, `must not contain ':'`);
  if (/^[_\-+]/.test(name)) throw invalidIndexName(name, `must not start with '_', '-', or '+'`);
  if (name === '.' || name === '..') throw invalidIndexName(name, `must not be '.' or '..'`);
  if (Buffer.byteLength(name, 'utf8') > 255) throw invalidIndexName(name, 'index name is too long, (' + Buffer.byteLength(name, 'utf8') + ' > 255)');
  if (name === '') throw invalidIndexName(name, 'must not be empty');
}

/** Whether a pattern with `*` wildcards matches a name. */
export function wildcardMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}
