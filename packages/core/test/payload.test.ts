import { expect } from 'chai';
import { ValidationError } from '../src/errors.js';
import { maxPayloadBytesDefault, validatePayload } from '../src/payload.js';

function rejectsAt(payload: unknown, field: string, fragment: string, maxBytes?: number): ValidationError {
  try {
    validatePayload(payload, { maxBytes });
  } catch (err) {
    expect(err).to.be.instanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.field).to.equal(field);
    expect(v.message).to.include(fragment);
    return v;
  }
  return expect.fail(`expected a ValidationError at ${field}`);
}

describe('validatePayload', () => {
  it('accepts JSON values and returns the serialized form and size', () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    const out = validatePayload({ a: 1, b: 'é', c: [true, null, { d: 2.5 }], when, opt: undefined });
    expect(out.json).to.equal('{"a":1,"b":"é","c":[true,null,{"d":2.5}],"when":"2026-01-02T03:04:05.000Z"}');
    expect(out.bytes).to.equal(Buffer.byteLength(out.json));
    expect(validatePayload(null).json).to.equal('null');
    expect(validatePayload('x').json).to.equal('"x"');
    expect(validatePayload(Object.assign(Object.create(null) as object, { k: 1 })).json).to.equal('{"k":1}');
    // shared (non-circular) references are fine
    const shared = { v: 1 };
    expect(validatePayload({ x: shared, y: shared }).json).to.equal('{"x":{"v":1},"y":{"v":1}}');
  });

  it('names the JSON path of a BigInt', () => {
    const err = rejectsAt({ items: [{}, {}, {}, { when: 5n }] }, 'payload.items[3].when', 'BigInt is not JSON-serializable');
    expect(err.message).to.match(/^payload\.items\[3\]\.when: BigInt is not JSON-serializable/);
  });

  it('rejects cycles, functions, symbols, non-finite numbers', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = { back: a };
    rejectsAt(a, 'payload.self.back', 'circular');
    const arr: unknown[] = [];
    arr.push(arr);
    rejectsAt(arr, 'payload[0]', 'circular');
    rejectsAt({ fn: () => 1 }, 'payload.fn', 'function');
    rejectsAt({ s: Symbol('x') }, 'payload.s', 'symbol');
    rejectsAt({ n: [1, Number.NaN] }, 'payload.n[1]', 'NaN');
    rejectsAt({ n: Infinity }, 'payload.n', 'Infinity');
    rejectsAt({ 'odd key': { x: 1n } }, 'payload["odd key"].x', 'BigInt');
  });

  it('rejects undefined at the top level and in arrays, omits undefined properties', () => {
    rejectsAt(undefined, 'payload', 'top level');
    rejectsAt([1, undefined], 'payload[1]', 'in an array');
    // eslint-disable-next-line no-sparse-arrays
    rejectsAt({ a: [1, , 3] }, 'payload.a[1]', 'in an array');
    expect(validatePayload({ a: undefined, b: 1 }).json).to.equal('{"b":1}');
  });

  it('rejects non-plain objects that would not round-trip, naming the class', () => {
    rejectsAt({ m: new Map([[1, 2]]) }, 'payload.m', 'Map is not JSON-serializable');
    rejectsAt({ s: new Set([1]) }, 'payload.s', 'Array.from');
    rejectsAt({ r: /x/u }, 'payload.r', 'RegExp');
    rejectsAt({ e: new Error('boom') }, 'payload.e', 'Error');
    rejectsAt({ t: new Uint8Array(2) }, 'payload.t', 'Uint8Array');
    class Point {
      constructor(readonly x: number) {}
    }
    rejectsAt({ p: new Point(1) }, 'payload.p', 'Point');
    rejectsAt({ d: new Date(Number.NaN) }, 'payload.d', 'Invalid Date');
  });

  it('accepts classes with toJSON and checks what toJSON returns', () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON(): unknown {
        return { cents: this.cents };
      }
    }
    expect(validatePayload({ price: new Money(5) }).json).to.equal('{"price":{"cents":5}}');
    class Bad {
      toJSON(): unknown {
        return { big: 1n };
      }
    }
    rejectsAt({ b: new Bad() }, 'payload.b.big', 'BigInt');
    expect(validatePayload({ b: Buffer.from('hi') }).json).to.equal('{"b":{"type":"Buffer","data":[104,105]}}');
    expect(validatePayload({ n: new Number(3) }).json).to.equal('{"n":3}');
  });

  it('enforces the size limit with the size and the limit in the message', () => {
    expect(maxPayloadBytesDefault).to.equal(524_288);
    const big = { s: 'x'.repeat(maxPayloadBytesDefault) };
    const err = rejectsAt(big, 'payload', `is ${maxPayloadBytesDefault + 8} bytes serialized, over the limit of 524288 bytes`);
    expect(err.message.length).to.be.lessThan(400);
    expect(validatePayload({ s: 'é'.repeat(10) }, { maxBytes: 28 }).bytes).to.equal(28);
    rejectsAt({ s: 'é'.repeat(10) }, 'payload', 'over the limit of 27 bytes', 27);
    expect(() => validatePayload({}, { maxBytes: 0 })).to.throw(ValidationError, 'maxBytes');
  });

  it('rejects absurd nesting instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 500; i++) deep = [deep];
    expect(() => validatePayload(deep)).to.throw(ValidationError, 'nesting deeper');
  });
});
