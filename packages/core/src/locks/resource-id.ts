/**
 * Resource name -> lock document id. Any UTF-8 text is a valid resource; ids must be at most 512
 * bytes and are easier to read in Kibana when they resemble the name, so the id is a readable
 * ASCII slug (at most 64 chars) plus a SHA-256 prefix of the exact name, which keeps distinct
 * names (`a b` vs `a_b`, case, long names sharing a prefix) on distinct documents.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';

/** Resource names are limited so the `resource` keyword stays indexable (Lucene: 32766 bytes). */
export const RESOURCE_MAX_BYTES = 8192;
const SLUG_MAX_CHARS = 64;

export function validateResource(resource: unknown, field = 'resource'): string {
  if (typeof resource !== 'string') throw new ValidationError(field, resource, 'must be a string');
  if (resource === '') throw new ValidationError(field, resource, 'must not be empty');
  if (/\p{Cs}/u.test(resource)) throw new ValidationError(field, resource, 'must be well-formed UTF-16 (no lone surrogates), so it has a UTF-8 form');
  const bytes = Buffer.byteLength(resource, 'utf8');
  if (bytes > RESOURCE_MAX_BYTES) throw new ValidationError(field, resource, `is ${bytes} bytes long; at most ${RESOURCE_MAX_BYTES} bytes allowed`);
  return resource;
}

export function lockDocId(resource: string): string {
  const hash = createHash('sha256').update(resource, 'utf8').digest('hex').slice(0, 32);
  const slug = resource
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/gu, '_')
    .replace(/^[_.-]+/u, '')
    .slice(0, SLUG_MAX_CHARS);
  return slug === '' ? hash : `${slug}~${hash}`;
}
