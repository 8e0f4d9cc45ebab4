import { EsError, esError } from '../errors.js';

/** Builders for the errors the store raises, with Elasticsearch's types and reason texts. */

export function illegalArgument(reason: string, extra: Record<string, unknown> = {}): EsError {
  return esError(400, 'illegal_argument_exception', reason, extra);
}

export function indexNotFound(index: string): EsError {
  return esError(404, 'index_not_found_exception', `no such index [${index}]`, {
    'resource.type': 'index_or_alias',
    'resource.id': index,
    index_uuid: '_na_',
    index,
  });
}

export function resourceAlreadyExists(index: string, uuid: string): EsError {
  return esError(400, 'resource_already_exists_exception', `index [${index}/${uuid}] already exists`, { index_uuid: uuid, index });
}

export function invalidIndexName(index: string, why: string): EsError {
  return esError(400, 'invalid_index_name_exception', `Invalid index name [${index}], ${why}`, { index_uuid: '_na_', index });
}

export function validationFailed(problems: readonly string[]): EsError {
  return esError(400, 'action_request_validation_exception', `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join('')}`);
}

export function versionConflict(index: string, uuid: string, reason: string): EsError {
  return esError(409, 'version_conflict_engine_exception', reason, { index_uuid: uuid, shard: '0', index });
}

export function documentMissing(index: string, uuid: string, id: string): EsError {
  return esError(404, 'document_missing_exception', `[${id}]: document missing`, { index_uuid: uuid, shard: '0', index });
}

export function mapperParsing(reason: string, causedBy?: { type: string; reason: string }): EsError {
  return new EsError(400, causedBy ? { type: 'mapper_parsing_exception', reason, caused_by: causedBy } : { type: 'mapper_parsing_exception', reason }, [
    { type: 'mapper_parsing_exception', reason },
  ]);
}

export function parsingException(reason: string, extra: Record<string, unknown> = {}): EsError {
  return esError(400, 'parsing_exception', reason, { line: 1, col: 1, ...extra });
}

/** Malformed JSON in a request body. */
export function jsonParse(detail: string): EsError {
  const cause = { type: 'json_parse_exception', reason: detail };
  return new EsError(400, { type: 'x_content_parse_exception', reason: `[1:1] ${detail}`, caused_by: cause }, [{ type: 'x_content_parse_exception', reason: `[1:1] ${detail}` }]);
}

export function unrecognizedParams(path: string, names: readonly string[]): EsError {
  const list = names.map((n) => `[${n}]`).join(', ');
  return illegalArgument(`request [${path}] contains unrecognized parameter${names.length > 1 ? 's' : ''}: ${list}`);
}

/** Failure to parse a document against the mapping (Elasticsearch 8.8+ `document_parsing_exception`). */
export function documentParsing(reason: string, causedBy?: { type: string; reason: string }): EsError {
  const type = 'document_parsing_exception';
  return new EsError(400, causedBy ? { type, reason, caused_by: causedBy } : { type, reason }, [{ type, reason }]);
}
