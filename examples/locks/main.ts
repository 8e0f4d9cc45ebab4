/**
 * A critical section guarded by a distributed lock, with fencing. Run it with
 *   pnpm --filter @esjobs/examples locks        (embedded engine; or set ESJOBS_ES_URL)
 *
 * Three instances add to a shared ledger, each increment inside `withLock`. Then a holder that
 * stalls past its lease (a long GC pause, a frozen VM) wakes up and tries to write: the lock has
 * moved on, and the ledger refuses the write because its fencing token is older than one it has
 * already seen. A lock alone cannot stop a paused holder; the fence check at the resource can.
 * Exits 0 when the ledger is exact and the stale write was refused.
 */
import { LockLostError, createLockManager, openBackend, teardown } from '@esjobs/core';
import type { BackendContext } from '@esjobs/core';
import { startEngine } from '@esjobs/embedded';

class StaleFenceError extends Error {}

/**
 * The protected resource: one document holding a total and the highest fence that wrote it.
 * Every write is conditional on the version read, and refused if its fence is older.
 */
class Ledger {
  constructor(private readonly ctx: BackendContext, readonly index: string) {}

  async init(): Promise<void> {
    await this.ctx.client.index({ index: this.index, id: 'ledger', document: { total: 0, fence: 0 }, refresh: true });
  }

  async read(): Promise<{ total: number; fence: number; seqNo: number; primaryTerm: number }> {
    const res = await this.ctx.client.get<{ total: number; fence: number }>({ index: this.index, id: 'ledger' });
    if (res._source === undefined || res._seq_no === undefined || res._primary_term === undefined) throw new Error('ledger missing');
    return { ...res._source, seqNo: res._seq_no, primaryTerm: res._primary_term };
  }

  async add(amount: number, fence: number): Promise<number> {
    const cur = await this.read();
    if (fence < cur.fence) throw new StaleFenceError(`fence ${fence} is older than ${cur.fence}: write refused`);
    await this.ctx.client.index({
      index: this.index,
      id: 'ledger',
      document: { total: cur.total + amount, fence },
      if_seq_no: cur.seqNo,
      if_primary_term: cur.primaryTerm,
    });
    return cur.total + amount;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const engine = process.env['ESJOBS_ES_URL'] ? undefined : await startEngine({ port: 0 });
const backend = await openBackend({ es: engine?.url ?? process.env['ESJOBS_ES_URL'] ?? '', prefix: 'locks-example' });
const ledger = new Ledger(backend.ctx, 'locks-example-ledger');
let ok = true;
try {
  await ledger.init();
  // Three instances, as if in three processes: each has its own owner id.
  const instances = ['a', 'b', 'c'].map((name) => ({ name, locks: createLockManager({ ctx: backend.ctx, owner: `instance-${name}` }) }));
  await Promise.all(
    instances.map(async ({ name, locks }) => {
      for (let i = 0; i < 5; i++) {
        await locks.withLock('ledger', { ttl: '5s', wait: '30s' }, async (signal, lock) => {
          // Read-modify-write is safe here: one holder at a time, and the fence is checked too.
          const total = await ledger.add(10, lock.fence);
          if (signal.aborted) throw signal.reason;
          console.log(`instance ${name}: +10 → ${total} (fence ${lock.fence})`);
        });
      }
    }),
  );
  const afterRace = (await ledger.read()).total;
  console.log(`ledger after 15 guarded increments: ${afterRace} (expected 150)`);
  if (afterRace !== 150) ok = false;

  // The stalled holder: a short lease, then a pause longer than it.
  const [a, b] = instances;
  if (a === undefined || b === undefined) throw new Error('unreachable');
  const stale = await a.locks.acquire('ledger', { ttl: '300ms' });
  console.log(`instance a holds the lock with fence ${stale.fence}, then stalls for 600 ms…`);
  await sleep(600);
  await b.locks.withLock('ledger', { ttl: '5s' }, async (_signal, lock) => {
    const total = await ledger.add(1, lock.fence);
    console.log(`instance b took over the expired lock: +1 → ${total} (fence ${lock.fence})`);
  });
  try {
    await ledger.add(1_000, stale.fence);
    console.log('instance a: stale write ACCEPTED (this must not happen)');
    ok = false;
  } catch (err) {
    if (!(err instanceof StaleFenceError)) throw err;
    console.log(`instance a wakes up and writes: refused (${err.message})`);
  }
  try {
    await stale.release();
    ok = false;
  } catch (err) {
    if (!(err instanceof LockLostError)) throw err;
    console.log('instance a: release refused too, the lock is no longer its own (LockLostError)');
  }
  const final = (await ledger.read()).total;
  console.log(`final ledger: ${final} (expected 151)`);
  if (final !== 151) ok = false;
} finally {
  await backend.ctx.client.indices.delete({ index: ledger.index }, { ignore: [404] });
  await teardown(backend.ctx);
  await backend.close();
  await engine?.close();
}
console.log(ok ? 'ok: exclusive increments, stale holder fenced off' : 'FAILED');
process.exitCode = ok ? 0 : 1;
