import { expect } from 'chai';
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, startEngine } from '@esjobs/embedded';
import { Client } from '../../../test/support/clients.js';
import { spawnEngine } from '../../../test/support/cli.js';

/*
 * Durability of the data dir: SIGKILL of a real engine process under load loses no acknowledged
 * write, a torn tail is dropped on recovery, compaction keeps the data, the lock keeps engines apart.
 */

const INDEX = 'durable';

async function writeLoad(client: Client, acked: Map<string, number>, stop: () => boolean, writer: number): Promise<void> {
  for (let i = 0; !stop(); i++) {
    const id = `w${writer}-${i}`;
    try {
      if (i % 5 === 4) {
        const items = Array.from({ length: 10 }, (_, k) => `${id}-b${k}`);
        const res = await client.bulk({ operations: items.flatMap((bid) => [{ index: { _index: INDEX, _id: bid } }, { writer, n: i }]) });
        res.items.forEach((it, k) => {
          const bid = items[k];
          if (bid && it.index?.status === 201) acked.set(bid, i);
        });
      } else {
        await client.index({ index: INDEX, id, document: { writer, n: i } });
        acked.set(id, i);
      }
    } catch {
      return; // the engine died: this write was never acknowledged
    }
  }
}

async function assertAllPresent(url: string, acked: Map<string, number>): Promise<void> {
  const client = new Client({ node: url });
  try {
    const ids = [...acked.keys()];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const res = await client.mget<{ n: number }>({ index: INDEX, ids: chunk });
      const missing = res.docs.filter((d) => !('found' in d) || !d.found).map((d) => d._id);
      expect(missing, `acknowledged writes missing after restart`).to.deep.equal([]);
      for (const d of res.docs) if ('found' in d && d.found) expect(d._source?.n).to.equal(acked.get(d._id));
    }
  } finally {
    await client.close();
  }
}

describe('io: durability of the data dir', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esjobs-durable-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const fsync of [false, true]) {
    it(`SIGKILL under a concurrent write load loses no acknowledged write${fsync ? ' (--fsync)' : ''}`, async () => {
      const { proc, url } = await spawnEngine(['--data-dir', dir, ...(fsync ? ['--fsync'] : [])]);
      const client = new Client({ node: url, maxRetries: 0 });
      await client.indices.create({ index: INDEX, mappings: { properties: { writer: { type: 'integer' }, n: { type: 'long' } } } });
      const acked = new Map<string, number>();
      let stopped = false;
      const writers = Array.from({ length: 8 }, (_, w) => writeLoad(client, acked, () => stopped, w));
      // Kill mid-load once there is something to lose (time-based waits are flaky on a busy machine).
      const deadline = Date.now() + 20_000;
      while (acked.size < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      proc.kill('SIGKILL');
      await proc.exited;
      stopped = true;
      await Promise.all(writers);
      await client.close();
      expect(acked.size).to.be.greaterThan(100);

      const restarted = await spawnEngine(['--data-dir', dir]);
      try {
        await assertAllPresent(restarted.url, acked);
      } finally {
        restarted.proc.kill('SIGTERM');
        expect((await restarted.proc.exited).code).to.equal(0);
      }
    });
  }

  it('a torn or corrupt last record is dropped on recovery', async () => {
    const first = await startEngine({ port: 0, dataDir: dir });
    const client = new Client({ node: first.url });
    const acked = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      await client.index({ index: INDEX, id: `d${i}`, document: { n: i } });
      acked.set(`d${i}`, i);
    }
    await client.close();
    await first.close();
    const log = (await readdir(dir)).filter((n) => n.startsWith('log-')).sort().at(-1);
    expect(log).to.be.a('string');
    // A half-written frame: a plausible length header, then garbage.
    await appendFile(join(dir, log ?? ''), Buffer.concat([Buffer.from([200, 0, 0, 0, 1, 2, 3, 4]), Buffer.from('{"op":"put_doc","ind')]));
    const warnings: string[] = [];
    const second = await startEngine({ port: 0, dataDir: dir, journal: { onWarning: (m) => warnings.push(m) } });
    try {
      expect(second.recovery?.truncatedBytes).to.equal(28);
      expect(warnings.join('\n')).to.contain('torn or corrupt');
      await assertAllPresent(second.url, acked);
      // The log keeps working after the cut.
      const c = new Client({ node: second.url });
      await c.index({ index: INDEX, id: 'after', document: { n: 1 } });
      await c.close();
    } finally {
      await second.close();
    }
    const third = await startEngine({ port: 0, dataDir: dir });
    try {
      acked.set('after', 1);
      await assertAllPresent(third.url, acked);
      expect(third.recovery?.truncatedBytes).to.equal(0);
    } finally {
      await third.close();
    }
  });

  it('compaction writes a snapshot, starts a new log and keeps the data', async () => {
    const first = await startEngine({ port: 0, dataDir: dir, journal: { compactMinLogBytes: 20_000, compactRatio: 1 } });
    const client = new Client({ node: first.url });
    const acked = new Map<string, number>();
    await client.indices.create({ index: INDEX, mappings: { properties: { n: { type: 'long' } } } });
    for (let round = 0; round < 20; round++) {
      await client.bulk({ operations: Array.from({ length: 20 }, (_, k) => [{ index: { _index: INDEX, _id: `k${k}` } }, { n: round }]).flat() });
      for (let k = 0; k < 20; k++) acked.set(`k${k}`, round);
      await client.delete({ index: INDEX, id: `gone${round}` }).catch(() => undefined);
    }
    await client.index({ index: INDEX, id: 'tmp', document: { n: 0 } });
    await client.delete({ index: INDEX, id: 'tmp' });
    await client.close();
    // Compaction runs in the background; close() waits for one that is under way.
    await first.close();
    expect(first.journal?.compactions).to.be.greaterThan(0);
    const files = await readdir(dir);
    expect(files).to.include('snapshot.esj');
    expect(files.filter((f) => f.startsWith('log-'))).to.have.length(1);
    const second = await startEngine({ port: 0, dataDir: dir });
    try {
      await assertAllPresent(second.url, acked);
      const c = new Client({ node: second.url });
      expect(await c.exists({ index: INDEX, id: 'tmp' })).to.equal(false);
      const mapping = await c.indices.getMapping({ index: INDEX });
      expect(mapping[INDEX]?.mappings.properties?.n).to.deep.equal({ type: 'long' });
      // seq_no continues from where it was, not from 0
      const res = await c.index({ index: INDEX, id: 'k0', document: { n: 99 } });
      expect(res._seq_no).to.be.greaterThan(400);
      expect(res._version).to.equal(21);
      await c.close();
      expect((await stat(join(dir, 'snapshot.esj'))).size).to.be.greaterThan(0);
    } finally {
      await second.close();
    }
  });

  it('a second engine cannot open a data dir in use', async () => {
    const first = await startEngine({ port: 0, dataDir: dir });
    try {
      const err = await startEngine({ port: 0, dataDir: dir }).then(
        async (s) => {
          await s.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DataDirLockedError);
      expect((err as Error).message).to.contain(dir);
    } finally {
      await first.close();
    }
  });
});
