import { expect } from 'chai';
import { startEngine } from '@esjobs/embedded';
import type { StartedEngine } from '@esjobs/embedded';
import { Client, Client8 } from '../../../test/support/clients.js';

/*
 * Many independent clients (separate connection pools, both client versions) race conditional
 * writes on one document: for every seq_no exactly one writer may win.
 */
describe('io: conditional writes from many clients', function () {
  this.timeout(30_000);
  let started: StartedEngine;
  const clients: (Client | Client8)[] = [];
  before(async () => {
    started = await startEngine({ port: 0 });
    for (let i = 0; i < 12; i++) clients.push(i % 2 === 0 ? new Client({ node: started.url, maxRetries: 0 }) : new Client8({ node: started.url, maxRetries: 0 }));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await started.close();
  });

  it('exactly one winner per seq_no', async () => {
    const index = 'race';
    const admin = clients[0] as Client;
    const created = await admin.index({ index, id: 'doc', document: { owner: 'none', step: 0 } });
    const winners = new Map<number, string[]>();
    let conflicts = 0;
    const ROUNDS = 20;
    await Promise.all(
      clients.map(async (c, who) => {
        for (let r = 0; r < ROUNDS; r++) {
          const cur = await (c as Client).get<{ step: number }>({ index, id: 'doc' });
          const seq = cur._seq_no ?? -1;
          try {
            const res = await (c as Client).index({
              index,
              id: 'doc',
              document: { owner: `c${who}`, step: (cur._source?.step ?? 0) + 1 },
              if_seq_no: seq,
              if_primary_term: cur._primary_term ?? 1,
            });
            const list = winners.get(seq) ?? [];
            list.push(`c${who}`);
            winners.set(seq, list);
            expect(res._seq_no).to.be.greaterThan(seq);
          } catch (err) {
            const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
            if (status !== 409) throw err;
            conflicts++;
          }
        }
      }),
    );
    for (const [seq, list] of winners) expect(list, `winners for seq_no ${seq}`).to.have.length(1);
    const final = await admin.get<{ step: number }>({ index, id: 'doc' });
    // every successful write incremented step exactly once, from the value it read
    expect(final._source?.step).to.equal(winners.size);
    expect(final._version).to.equal(winners.size + 1);
    expect(final._seq_no).to.equal((created._seq_no ?? 0) + winners.size);
    expect(conflicts).to.be.greaterThan(0);
    expect(winners.size + conflicts).to.equal(clients.length * ROUNDS);
  });
});
