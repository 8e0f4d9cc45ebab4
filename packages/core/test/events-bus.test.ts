import { expect } from 'chai';
import { createEventBus, type JobCompletedEvent } from '../src/events/event-map.js';
import { ManualClock } from '../src/clock.js';

const completed = (jobId: string): JobCompletedEvent => ({
  at: 1,
  jobId,
  name: 'email',
  queue: 'default',
  attempt: 1,
  workerId: 'w1',
  durationMs: 5,
});

describe('EventBus', () => {
  it('delivers typed payloads to on/once listeners and stops after off', () => {
    const bus = createEventBus();
    const seen: string[] = [];
    const onceSeen: string[] = [];
    const listener = (e: JobCompletedEvent): void => void seen.push(e.jobId);
    bus.on('job:completed', listener);
    bus.once('job:completed', (e) => void onceSeen.push(e.jobId));
    bus.emit('job:completed', completed('a'));
    bus.emit('job:completed', completed('b'));
    bus.off('job:completed', listener);
    bus.emit('job:completed', completed('c'));
    expect(seen).to.deep.equal(['a', 'b']);
    expect(onceSeen).to.deep.equal(['a']);
    expect(bus.listenerCount('job:completed')).to.equal(0);
  });

  it('turns a throwing listener into an error event and keeps delivering', () => {
    const bus = createEventBus({ clock: new ManualClock(42) });
    const errors: string[] = [];
    const seen: string[] = [];
    bus.on('error', (e) => void errors.push(`${e.component}:${e.error.message}@${e.at}`));
    bus.on('job:completed', () => {
      throw new Error('boom');
    });
    bus.on('job:completed', (e) => void seen.push(e.jobId));
    expect(() => bus.emit('job:completed', completed('a'))).not.to.throw();
    expect(seen).to.deep.equal(['a']);
    expect(errors).to.deep.equal(['listener:job:completed:boom@42']);
  });

  it('shows local events to taps but not remote deliveries', () => {
    const bus = createEventBus();
    const tapped: string[] = [];
    const heard: string[] = [];
    const untap = bus.tap((event, payload) => void tapped.push(`${event}:${'jobId' in payload ? payload.jobId : ''}`));
    bus.on('job:completed', (e) => void heard.push(e.jobId));
    bus.emit('job:completed', completed('local'));
    bus.deliverRemote('job:completed', { ...completed('remote'), origin: 'p2' });
    untap();
    bus.emit('job:completed', completed('after'));
    expect(tapped).to.deep.equal(['job:completed:local']);
    expect(heard).to.deep.equal(['local', 'remote', 'after']);
  });

  it('waitFor resolves on the first match and rejects on timeout', async () => {
    const bus = createEventBus();
    const waiting = bus.waitFor('job:completed', (e) => e.jobId === 'b', 1_000);
    bus.emit('job:completed', completed('a'));
    bus.emit('job:completed', completed('b'));
    expect((await waiting).jobId).to.equal('b');
    expect(bus.listenerCount('job:completed')).to.equal(0);
    let failure: unknown;
    try {
      await bus.waitFor('job:failed', () => true, 20);
    } catch (err) {
      failure = err;
    }
    expect(failure).to.be.instanceOf(Error);
    expect(String(failure)).to.match(/job:failed/);
  });
});

describe('event transport options', () => {
  it('fills in defaults and rejects bad values naming the field', async () => {
    const { withTransportDefaults, flushEveryMsDefault, pollEveryMsDefault } = await import('../src/events/transport-options.js');
    const { ValidationError } = await import('../src/errors.js');
    const o = withTransportDefaults({ pollEvery: '1s', events: ['job:completed'] });
    expect(o).to.include({ publish: true, subscribe: true, flushEveryMs: flushEveryMsDefault, pollEveryMs: 1_000 });
    expect(pollEveryMsDefault).to.be.a('number');
    expect(o.events?.has('job:completed')).to.equal(true);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ events: ['job:done'] }, /^events\[0\]: is not an event name/u],
      [{ maxBatch: 0 }, /^maxBatch: must be a positive integer \(got 0\)/u],
      [{ maxBatch: 100, maxBuffer: 10 }, /^maxBuffer: must be at least maxBatch/u],
      [{ pollEvery: 'soon' }, /^pollEvery: not a duration/u],
      [{ publish: 'yes' }, /^publish: must be true or false/u],
      [{ since: 'yesterday' }, /^since: must be epoch milliseconds/u],
    ];
    for (const [bad, message] of cases) {
      let err: unknown;
      try {
        withTransportDefaults(bad as never);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(bad)).to.be.instanceOf(ValidationError);
      expect(String((err as Error).message)).to.match(message);
    }
  });
});
