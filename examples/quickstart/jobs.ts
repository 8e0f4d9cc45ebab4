/**
 * The quick start's job definitions: what `esjobs worker start --jobs examples/quickstart/jobs.ts`
 * runs. Each handler is idempotent (safe to run twice: esjobs delivers at least once).
 */
import { UnrecoverableError, defineJob } from '@esjobs/worker';

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });
}

/** A prioritized job: VIP mails (higher priority) are claimed before the others. */
export const sendEmail = defineJob({
  name: 'send-email',
  queue: 'emails',
  attempts: 5,
  handler: async (payload: { to: string; subject: string }, ctx) => {
    if (!payload.to.includes('@')) throw new UnrecoverableError(`not an address: ${payload.to}`);
    await pause(5, ctx.signal); // the SMTP call would go here, with ctx.signal
    return { messageId: `msg-${ctx.job.id}` };
  },
});

/** Quick work in bulk; the demo enqueues hundreds of these, some delayed. */
export const resizeImage = defineJob({
  name: 'resize-image',
  handler: (payload: { image: string; width: number }) => ({ thumbnail: `${payload.image}@${payload.width}w` }),
});

/**
 * Fails its first attempts on purpose (a flaky payment provider), then succeeds: retried with
 * backoff. Keyed by the job id so a retry never charges twice.
 */
export const chargeCard = defineJob({
  name: 'charge-card',
  attempts: 4,
  backoff: { type: 'fixed', delay: '300ms' },
  handler: (payload: { orderId: string; cents: number; failFirst: number }, ctx) => {
    if (ctx.job.attempt <= payload.failFirst) throw new Error(`payment provider timeout (attempt ${ctx.job.attempt})`);
    return { orderId: payload.orderId, charged: payload.cents, idempotencyKey: ctx.job.id, attempts: ctx.job.attempt };
  },
});

/** Always fails: after its attempts it is dead-lettered to `<prefix>-dead-default`. */
export const syncLegacyCrm = defineJob({
  name: 'sync-legacy-crm',
  attempts: 2,
  backoff: { type: 'fixed', delay: '200ms' },
  handler: (payload: { account: string }) => {
    throw new Error(`legacy CRM refused account ${payload.account}`);
  },
});

/** Fired by the recurring schedule in schedules.ts; the scheduler adds `fireTime` to the payload. */
export const report = defineJob({
  name: 'report',
  handler: (payload: { fireTime?: string }) => ({ reportFor: payload.fireTime ?? 'now' }),
});
