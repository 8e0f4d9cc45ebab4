/**
 * esjobs against your own Elasticsearch cluster. Run it with
 *   ESJOBS_ES_URL=https://my-cluster:9243 ESJOBS_ES_API_KEY=<encoded key> \
 *     pnpm --filter @esjobs/examples real-cluster
 * Optional: ESJOBS_ES_CA_FILE (TLS CA), ESJOBS_PREFIX (default `esjobs-example`), `--keep` to
 * leave the example's indices in place (by default it deletes `<prefix>-*` at the end).
 * The API key needs the role from docs/operations.md on `<prefix>-*`.
 * Exit codes: 0 all jobs done, 1 something failed, 2 not configured, 4 unreachable or rejected.
 */
import { AuthenticationError, ConnectionError, openBackend, teardown } from '@esjobs/core';
import { Scheduler } from '@esjobs/scheduler';
import { Worker } from '@esjobs/worker';
import { chargeCard, resizeImage, sendEmail } from '../quickstart/jobs.js';

const url = process.env['ESJOBS_ES_URL'];
if (url === undefined || url === '') {
  console.error('set ESJOBS_ES_URL (and ESJOBS_ES_API_KEY) to your cluster, e.g. ESJOBS_ES_URL=https://my-cluster:9243');
  process.exit(2);
}
const prefix = process.env['ESJOBS_PREFIX'] ?? 'esjobs-example';
const keep = process.argv.includes('--keep');

let backend;
try {
  // Credentials come from ESJOBS_ES_API_KEY & co; they never appear in messages.
  backend = await openBackend({ es: url, prefix });
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(err instanceof ConnectionError || err instanceof AuthenticationError ? 4 : 1);
}
const { ctx } = backend;
console.log(`connected to ${backend.node ?? 'cluster'} (Elasticsearch ${backend.connection?.version ?? 'unknown version'}), prefix ${prefix}`);

const scheduler = new Scheduler({ es: ctx });
const worker = new Worker({ es: ctx, jobs: [sendEmail, resizeImage, chargeCard], queues: ['default', 'emails'], concurrency: 10, events: scheduler.events });
let done = 0;
worker.events.on('job:completed', () => void done++);
await worker.start();

const ids: string[] = [];
for (let i = 0; i < 5; i++) ids.push((await scheduler.enqueue(sendEmail, { to: `user${i}@example.com`, subject: 'hello' })).job.id);
const bulk = await scheduler.enqueueMany(Array.from({ length: 20 }, (_, i) => ({ name: resizeImage, payload: { image: `img-${i}.jpg`, width: 320 } })));
for (const b of bulk) if (b.status !== 'error') ids.push(b.job.id);
ids.push((await scheduler.enqueue(chargeCard, { orderId: 'o-42', cents: 500, failFirst: 1 })).job.id);

const deadline = Date.now() + 30_000;
let pending = ids;
while (pending.length > 0 && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const states = await Promise.all(pending.map(async (id) => ({ id, job: await scheduler.store.getJob(id) })));
  pending = states.filter((s) => s.job?.doc.state !== 'completed').map((s) => s.id);
}
console.log(`${ids.length - pending.length}/${ids.length} jobs completed (${done} completions seen by this worker)`);
const stats = await scheduler.store.queueStats();
for (const [queue, c] of Object.entries(stats)) console.log(`  ${queue}: completed ${c.completed}, queued ${c.queued}, dead ${c.dead}`);

await worker.stop();
await scheduler.stop();
if (!keep) await teardown(ctx);
await backend.close();
process.exitCode = pending.length === 0 ? 0 : 1;
