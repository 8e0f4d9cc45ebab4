import { expect } from 'chai';
import { errors } from '@elastic/elasticsearch';
import { errors as errors8 } from 'es8';
import {
  AuthenticationError,
  AuthorizationError,
  BackpressureError,
  ConflictError,
  ConnectionError,
  ElasticsearchError,
  MappingError,
  NotFoundError,
  ValidationError,
} from '../src/errors.js';
import { mapEsError, mapEsErrorBody, redactUrl, scrubText } from '../src/es-error-mapper.js';

const secretUrl = new URL('https://admin:s3cr3t@es.example.com:9243/');

function diag(statusCode: number, body: unknown): ConstructorParameters<typeof errors.ResponseError>[0] {
  return {
    statusCode,
    body,
    headers: { authorization: 'ApiKey c2VjcmV0a2V5' },
    warnings: null,
    meta: {
      context: null,
      name: 'es',
      request: { params: { method: 'GET', path: '/' }, options: {}, id: 1 },
      connection: null,
      attempts: 0,
      aborted: false,
    },
  };
}

function esBody(status: number, type: string, reason: string, root?: { type: string; reason: string }): unknown {
  return { error: { root_cause: [root ?? { type, reason }], type, reason }, status };
}

/** A plain object shaped like client 8.x's ResponseError (different class identity). */
function foreignResponseError(statusCode: number, body: unknown): Error {
  const e = new Error('response error') as Error & { meta: unknown };
  e.name = 'ResponseError';
  e.meta = { statusCode, body, headers: {}, warnings: null, meta: {} };
  return e;
}

function assertNoSecrets(err: Error): void {
  for (const s of ['s3cr3t', 'admin:', 'c2VjcmV0a2V5']) expect(err.message).not.to.include(s);
}

describe('mapEsError', () => {
  it('401 → AuthenticationError with a hint, no credentials', () => {
    const raw = new errors.ResponseError(diag(401, esBody(401, 'security_exception', 'unable to authenticate user [admin] for REST request [/]')));
    const err = mapEsError(raw);
    expect(err).to.be.instanceOf(AuthenticationError);
    expect(err.message).to.include('authentication failed: check the API key / username and password');
    expect((err as AuthenticationError).code).to.equal('ESJOBS_AUTHENTICATION');
    expect(err.cause).to.equal(raw);
    assertNoSecrets(err);
  });

  it('403 → AuthorizationError naming the action and privilege', () => {
    const reason =
      'action [indices:admin/create] is unauthorized for user [app] with effective roles [reader] on indices [esjobs-jobs], this action is granted by the index privileges [create_index,manage,all]';
    const err = mapEsError(new errors.ResponseError(diag(403, esBody(403, 'security_exception', reason))), { op: 'bootstrap' });
    expect(err).to.be.instanceOf(AuthorizationError);
    expect(err.message).to.match(/^bootstrap: not authorized/);
    expect(err.message).to.include('indices:admin/create');
    expect(err.message).to.include('esjobs-jobs');
    expect(err.message).to.include('index privileges [create_index,manage,all]');
  });

  it('403 without privilege text still maps to AuthorizationError', () => {
    const err = mapEsError(foreignResponseError(403, esBody(403, 'security_exception', 'forbidden')));
    expect(err).to.be.instanceOf(AuthorizationError);
    expect(err.message).to.include('forbidden');
  });

  it('409 → ConflictError, from both client versions', () => {
    const body = esBody(409, 'version_conflict_engine_exception', '[j1]: version conflict, required seqNo [3], primary term [1]. current document has seqNo [4] and primary term [1]');
    for (const raw of [new errors.ResponseError(diag(409, body)), foreignResponseError(409, body)]) {
      const err = mapEsError(raw, { op: 'complete' });
      expect(err).to.be.instanceOf(ConflictError);
      expect(err.message).to.include('complete: version_conflict_engine_exception: [j1]: version conflict');
    }
  });

  it('404: index_not_found and missing documents → NotFoundError', () => {
    const idx = mapEsError(
      new errors.ResponseError(diag(404, { ...(esBody(404, 'index_not_found_exception', 'no such index [esjobs-jobs]') as object) })),
    );
    expect(idx).to.be.instanceOf(NotFoundError);
    expect(idx.message).to.include('no such index [esjobs-jobs]');
    const doc = mapEsError(new errors.ResponseError(diag(404, { _index: 'esjobs-jobs', _id: 'j9', found: false })));
    expect(doc).to.be.instanceOf(NotFoundError);
    expect(doc.message).to.equal('document [j9] not found in [esjobs-jobs]');
  });

  it('429 and 503 → BackpressureError', () => {
    const r429 = mapEsError(
      new errors.ResponseError(diag(429, esBody(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation'))),
    );
    expect(r429).to.be.instanceOf(BackpressureError);
    expect(r429.message).to.include('HTTP 429');
    const r503 = mapEsError(foreignResponseError(503, esBody(503, 'unavailable_shards_exception', 'primary shard is not active')));
    expect(r503).to.be.instanceOf(BackpressureError);
    expect(r503.message).to.include('primary shard is not active');
  });

  it('mapping problems → MappingError', () => {
    for (const [type, reason] of [
      ['strict_dynamic_mapping_exception', '[1:10] mapping set to strict, dynamic introduction of [foo] within [_doc] is not allowed'],
      ['mapper_parsing_exception', 'failed to parse field [priority] of type [integer]'],
      ['document_parsing_exception', '[1:14] failed to parse field [runAt] of type [date]'],
      ['illegal_argument_exception', 'mapper [state] cannot be changed from type [keyword] to [text]'],
    ] as const) {
      const err = mapEsError(new errors.ResponseError(diag(400, esBody(400, type, reason))));
      expect(err, type).to.be.instanceOf(MappingError);
      expect(err.message).to.include(reason);
    }
  });

  it('mapping root cause under a generic top-level type → MappingError', () => {
    const body = esBody(400, 'illegal_argument_exception', 'failed', { type: 'strict_dynamic_mapping_exception', reason: 'field [x] not allowed' });
    const err = mapEsError(new errors.ResponseError(diag(400, body)));
    expect(err).to.be.instanceOf(MappingError);
    expect(err.message).to.include('field [x] not allowed');
  });

  it('anything else → ElasticsearchError with status and type', () => {
    const err = mapEsError(new errors.ResponseError(diag(400, esBody(400, 'resource_already_exists_exception', 'index [esjobs-jobs/abc] already exists'))));
    expect(err).to.be.instanceOf(ElasticsearchError);
    const es = err as ElasticsearchError;
    expect(es.status).to.equal(400);
    expect(es.esType).to.equal('resource_already_exists_exception');
    expect(es.message).to.include('already exists');
    const html = mapEsError(new errors.ResponseError(diag(502, '<html>Bad gateway</html>')));
    expect(html).to.be.instanceOf(ElasticsearchError);
    expect((html as ElasticsearchError).status).to.equal(502);
    expect(html.message).to.include('Bad gateway');
  });

  it('connection errors → ConnectionError naming the URL without credentials', () => {
    const meta = diag(0, undefined);
    const withConn = { ...meta, meta: { ...meta.meta, connection: { url: secretUrl } } } as unknown as typeof meta;
    for (const raw of [
      new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9243', withConn),
      new errors.NoLivingConnectionsError('no living connections', withConn),
    ]) {
      const err = mapEsError(raw);
      expect(err).to.be.instanceOf(ConnectionError);
      expect(err.message).to.include('cluster is unreachable at https://es.example.com:9243');
      assertNoSecrets(err);
    }
    const fromContext = mapEsError(new errors.ConnectionError('getaddrinfo ENOTFOUND nowhere'), { node: 'http://u:s3cr3t@nowhere:9200' });
    expect(fromContext.message).to.include('unreachable at http://nowhere:9200');
    assertNoSecrets(fromContext);
    const timeout = mapEsError(new errors.TimeoutError('Request timed out'));
    expect(timeout).to.be.instanceOf(ConnectionError);
    expect(timeout.message).to.include('timed out');
  });

  it('product check failure, deserialization and aborts', () => {
    const product = mapEsError(new errors.ProductNotSupportedError('Elasticsearch'), { node: 'http://localhost:8080' });
    expect(product).to.be.instanceOf(ConnectionError);
    expect(product.message).to.include('at http://localhost:8080 is not Elasticsearch');
    const deser = mapEsError(new errors.DeserializationError('Unexpected token <', '<html>'));
    expect(deser).to.be.instanceOf(ElasticsearchError);
    expect(deser.message).to.include('could not parse the response');
    expect(mapEsError(new errors.RequestAbortedError('aborted'))).to.be.instanceOf(ElasticsearchError);
  });

  it('esjobs errors and programming errors pass through; non-errors get wrapped', () => {
    const v = new ValidationError('x', 1, 'bad');
    expect(mapEsError(v)).to.equal(v);
    const t = new TypeError('oops');
    expect(mapEsError(t)).to.equal(t);
    const wrapped = mapEsError('a string');
    expect(wrapped).to.be.instanceOf(Error);
    expect(wrapped.cause).to.equal('a string');
  });

  it('mapEsErrorBody classifies bulk item errors', () => {
    expect(mapEsErrorBody(409, { type: 'version_conflict_engine_exception', reason: 'conflict' })).to.be.instanceOf(ConflictError);
    expect(mapEsErrorBody(429, { type: 'es_rejected_execution_exception', reason: 'queue full' })).to.be.instanceOf(BackpressureError);
    expect(mapEsErrorBody(404, { type: 'document_missing_exception', reason: '[j1]: document missing' })).to.be.instanceOf(NotFoundError);
    expect(mapEsErrorBody(400, { type: 'strict_dynamic_mapping_exception', reason: 'nope' })).to.be.instanceOf(MappingError);
  });

  it('redacts credentials from URLs and free text', () => {
    expect(redactUrl('https://user:pw@host:9200/base?api_key=abc')).to.equal('https://host:9200/base');
    expect(redactUrl(secretUrl)).to.equal('https://es.example.com:9243');
    const text = scrubText('failed for http://a:b@h:1 with Authorization: Basic Zm9vOmJhcg== and "password":"hunter2"');
    expect(text).not.to.include('a:b@');
    expect(text).not.to.include('Zm9vOmJhcg');
    expect(text).not.to.include('hunter2');
  });

  it('errors thrown by client 8.x classes map the same way', () => {
    const d = diag(409, esBody(409, 'version_conflict_engine_exception', '[j1]: version conflict')) as unknown as ConstructorParameters<typeof errors8.ResponseError>[0];
    expect(mapEsError(new errors8.ResponseError(d))).to.be.instanceOf(ConflictError);
    const d401 = diag(401, esBody(401, 'security_exception', 'missing authentication credentials')) as unknown as ConstructorParameters<typeof errors8.ResponseError>[0];
    expect(mapEsError(new errors8.ResponseError(d401))).to.be.instanceOf(AuthenticationError);
    const conn = mapEsError(new errors8.ConnectionError('connect ECONNREFUSED'), { node: 'http://u:s3cr3t@h:9200' });
    expect(conn).to.be.instanceOf(ConnectionError);
    expect(conn.message).to.include('unreachable at http://h:9200');
    assertNoSecrets(conn);
    expect(mapEsError(new errors8.NoLivingConnectionsError('none', diag(0, undefined) as never))).to.be.instanceOf(ConnectionError);
    expect(mapEsError(new errors8.ProductNotSupportedError('Elasticsearch', diag(0, undefined) as never))).to.be.instanceOf(ConnectionError);
    expect(mapEsError(new errors8.DeserializationError('bad', 'x'))).to.be.instanceOf(ElasticsearchError);
  });
});
