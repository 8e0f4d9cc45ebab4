import { expect } from 'chai';
import { lockDocId, validateResource, RESOURCE_MAX_BYTES } from '../src/locks/resource-id.js';
import { withLockDefaults, lockTtlMsDefault, lockWaitMsDefault } from '../src/locks/lock-options.js';
import { ValidationError } from '../src/errors.js';

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('lock resource ids', () => {
  it('maps any UTF-8 text to a safe, distinct id of at most 512 bytes', () => {
    const names = ['reaper', 'a b', 'a_b', 'A_B', 'ключ/🔒', '_leading', '', 'x'.repeat(RESOURCE_MAX_BYTES), 'x'.repeat(RESOURCE_MAX_BYTES - 1) + 'y', '..', 'queue:emails'];
    const ids = new Set<string>();
    for (const n of names.filter((s) => s !== '')) {
      const id = lockDocId(n);
      expect(Buffer.byteLength(id, 'utf8')).to.be.at.most(512);
      expect(id).to.match(/^[A-Za-z0-9][A-Za-z0-9._~-]*$|^[0-9a-f]{32}$/u);
      expect(id.startsWith('_')).to.equal(false);
      ids.add(id);
    }
    expect(ids.size).to.equal(names.length - 1);
    expect(lockDocId('reaper')).to.match(/^reaper~[0-9a-f]{32}$/u);
    expect(lockDocId('reaper')).to.equal(lockDocId('reaper'));
  });

  it('rejects empty, non-string, oversized and ill-formed names, naming the field', () => {
    expect(validationError(() => validateResource('')).field).to.equal('resource');
    expect(validationError(() => validateResource(42)).message).to.match(/resource: must be a string \(got 42\)/u);
    expect(validationError(() => validateResource('x'.repeat(RESOURCE_MAX_BYTES + 1))).message).to.match(/at most 8192 bytes/u);
    expect(validationError(() => validateResource('bad\uD800')).message).to.match(/lone surrogates/u);
  });
});

describe('lock options', () => {
  it('fills in defaults and accepts ms strings', () => {
    const o = withLockDefaults(undefined, 'me');
    expect(o).to.include({ ttlMs: lockTtlMsDefault, waitMs: lockWaitMsDefault, owner: 'me', renewEveryMs: 10_000 });
    const p = withLockDefaults({ ttl: '3s', wait: 0 }, 'me');
    expect(p).to.include({ ttlMs: 3_000, waitMs: 0, renewEveryMs: 1_000 });
  });

  it('rejects bad values with the field and value in the message', () => {
    expect(validationError(() => withLockDefaults({ ttlMs: 100, ttl: '1s' }, 'me')).message).to.match(/either ttlMs or ttl/u);
    expect(validationError(() => withLockDefaults({ ttl: '3 fortnights' }, 'me')).message).to.match(/^ttl: not a duration/u);
    expect(validationError(() => withLockDefaults({ ttlMs: 5 }, 'me')).message).to.match(/ttlMs: must be at least 10 ms \(got 5\)/u);
    expect(validationError(() => withLockDefaults({ waitMs: -1 }, 'me')).field).to.equal('waitMs');
    expect(validationError(() => withLockDefaults({ owner: '' }, 'me')).field).to.equal('owner');
    expect(validationError(() => withLockDefaults({ ttlMs: 1000, renewEveryMs: 1000 }, 'me')).field).to.equal('renewEveryMs');
  });
});
