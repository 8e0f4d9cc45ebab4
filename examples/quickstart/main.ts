/**
 * The quick start in one process: an embedded engine, a worker, a scheduler. Run it with
 *   pnpm --filter @esjobs/examples quickstart
 * or, against your cluster, set ESJOBS_ES_URL (and ESJOBS_ES_API_KEY) first.
 */
import { startEngine } from '@esjobs/embedded';
import { Scheduler } from '@esjobs/scheduler';
import { Worker } from '@esjobs/worker';
import { chargeCard, report, resizeImage, sendEmail, syncLegacyCrm } from './jobs.js';
import { reportEvery2s } from './schedules.js';

const engine = process.env['ESJOBS_ES_URL'] ? undefined : await startEngine({ port: 0 });
const es = engine?.url ?? process.env['ESJOBS_ES_URL'] ?? '';
const prefix = 'quickstart';

const scheduler = new Scheduler({ es, prefix });
// Sharing the bus lets this process's enqueues wake the worker at once.
const worker = new Worker({
  es,
  prefix,
  jobs: [sendEmail, resizeImage, chargeCard, syncLegacyCrm, report],
  queues: ['default', 'emails'],
  concurrency: 10,
  events: scheduler.events,
});
worker.events.on('job:completed', (e) => console.log(`completed  ${e.name} ${e.jobId} (attempt ${e.attempt})`));
worker.events.on('job:retrying', (e) => console.log(`retrying   ${e.name} ${e.jobId}: ${e.error.message}`));
worker.events.on('job:dead-lettered', (e) => console.log(`dead       ${e.name} ${e.jobId} (${e.reason})`));

await worker.start();
await scheduler.start();
await scheduler.schedule(reportEvery2s);

await scheduler.enqueue(sendEmail, { to: 'ada@example.com', subject: 'Welcome' }, { priority: 10 });
await scheduler.enqueue(resizeImage, { image: 'cat.png', width: 128 }, { delay: '1s' });
await scheduler.enqueue(chargeCard, { orderId: 'o-1', cents: 4200, failFirst: 1 }, { jobId: 'charge-o-1' });
await scheduler.enqueue(syncLegacyCrm, { account: 'acme' });
await scheduler.enqueue(report, {});

await new Promise((resolve) => setTimeout(resolve, 5_000));
await scheduler.unschedule(reportEvery2s.name);
await scheduler.stop();
await worker.stop();
await engine?.close();
