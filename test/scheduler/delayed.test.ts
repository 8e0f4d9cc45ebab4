/**
 * Delayed jobs never start early, and how late they start: 150 jobs with delays of 0.3–3 s,
 * enqueued through the Scheduler and run by a Worker, on an idle engine over HTTP and on the
 * realistic profile (1–3 ms latency, occasional 429s). The worker polls every 100 ms at most when
 * idle (its default idle cap is 2 s, which bounds lateness of delayed jobs by that instead).
 */
import { expect } from 'chai';
import { Client } from '@elastic/elasticsearch';
import { EventBus, createBackendContext } from '@esjobs/core';
import { Scheduler } from '@esjobs/scheduler';
import { Worker, defineJob } from '@esjobs/worker';
import { type StartedEngine, startEngine } from '@esjobs/embedded';
import { eventually, percentile, uniquePrefix } from './support.js';

const JOBS = 150;

for (const profile of ['idle', 'realistic'] as const) {
  describe(`delayed jobs (${profile} engine over HTTP)`, function () {
    this.timeout(60_000);
    let engine: StartedEngine;
    let client: Client;

    before(async () => {
      engine = await startEngine({ port: 0, ...(profile === 'realistic' ? { faults: 'realistic' as const } : {}) });
      client = new Client({ node: engine.url, maxRetries: 5 });
    });
    after(async () => {
      await client.close();
      await engine.close();
    });

    it('never start before runAt; lateness reported', async () => {
      const prefix = uniquePrefix(`delay-${profile.slice(0, 4)}`);
      const ctx = createBackendContext({ client, prefix });
      const bus = new EventBus();
      const started = new Map<string, { startedAt: number; runAt: number }>();
      const job = defineJob({
        name: 'delayed',
        handler: (p: { runAt: number }, c) => {
          started.set(c.job.id, { startedAt: Date.now(), runAt: p.runAt });
        },
      });
      const scheduler = new Scheduler({ es: ctx, events: bus });
      const worker = new Worker({ es: ctx, jobs: [job], events: bus, concurrency: 50, pollMinMs: 10, pollMaxMs: 100 });
      await worker.start();
      try {
        const now = Date.now();
        const items = Array.from({ length: JOBS }, (_, i) => {
          const runAt = now + 300 + Math.floor(((i * 7919) % JOBS) * (2700 / JOBS));
          return { name: job, payload: { runAt }, options: { runAt } };
        });
        const out = await scheduler.enqueueMany(items);
        expect(out.filter((o) => o.status === 'created')).to.have.length(JOBS);
        await eventually(`${JOBS} delayed jobs`, () => (started.size === JOBS ? true : undefined), 30_000);
        const lateness = [...started.values()].map((s) => s.startedAt - s.runAt);
        const early = lateness.filter((l) => l < 0);
        expect(early, 'started before runAt').to.deep.equal([]);
        console.log(`      ${profile}: ${JOBS} delayed jobs, start lateness p50 ${percentile(lateness, 50)} ms, p99 ${percentile(lateness, 99)} ms, max ${Math.max(...lateness)} ms`);
      } finally {
        await worker.stop({ timeout: 1_000 });
        await scheduler.stop();
        await client.indices.delete({ index: `${prefix}-*` }).catch(() => undefined);
      }
    });
  });
}
