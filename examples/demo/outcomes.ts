/**
 * What the demo enqueues and what must happen to it. Jobs that are checked one by one have
 * fixed ids and are read back in real time (GET), so a check never waits for a refresh.
 */
import type { JobStore } from '@esjobs/core';
import type { Scheduler } from '@esjobs/scheduler';
import { chargeCard, resizeImage, sendEmail, syncLegacyCrm } from '../quickstart/jobs.js';

export interface Expectation {
  readonly label: string;
  readonly ids: readonly string[];
  /** Does this job (as read) show the expected outcome? */
  readonly met: (job: { location: 'live' | 'dead'; state: string; attempt: number; runAt: number; startedAt: number | null }) => boolean;
}

export interface Plan {
  readonly expectations: readonly Expectation[];
  readonly bulkJobs: number;
  readonly delayMs: number;
}

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

/** Enqueue the mix; returns what to check. */
export async function enqueueMix(scheduler: Scheduler, bulkJobs: number): Promise<Plan> {
  const delayMs = 3_000;
  const vip = ids('demo-email-vip', 5);
  const regular = ids('demo-email', 15);
  const delayed = ids('demo-delayed', 10);
  const flaky = ids('demo-charge', 5);
  const doomed = ids('demo-crm', 3);

  // Bulk first, so the prioritized and retried jobs overtake a real backlog.
  for (let sent = 0; sent < bulkJobs; sent += 500) {
    const n = Math.min(500, bulkJobs - sent);
    const out = await scheduler.enqueueMany(Array.from({ length: n }, (_, i) => ({ name: resizeImage, payload: { image: `photo-${sent + i}.jpg`, width: 256 } })));
    const failed = out.filter((o) => o.status === 'error').length;
    if (failed > 0) throw new Error(`${failed} bulk enqueues failed`);
  }
  for (const id of regular) await scheduler.enqueue(sendEmail, { to: `${id}@example.com`, subject: 'Your order' }, { jobId: id });
  for (const id of vip) await scheduler.enqueue(sendEmail, { to: `${id}@example.com`, subject: 'VIP offer' }, { jobId: id, priority: 10 });
  for (const id of delayed) await scheduler.enqueue(resizeImage, { image: `${id}.png`, width: 64 }, { jobId: id, delay: delayMs });
  for (const id of flaky) await scheduler.enqueue(chargeCard, { orderId: id, cents: 1999, failFirst: 2 }, { jobId: id });
  for (const id of doomed) await scheduler.enqueue(syncLegacyCrm, { account: id }, { jobId: id });

  const completed = (j: { location: string; state: string }): boolean => j.location === 'live' && j.state === 'completed';
  return {
    bulkJobs,
    delayMs,
    expectations: [
      { label: 'prioritized emails (5 at priority 10) completed', ids: [...vip, ...regular], met: completed },
      { label: `delayed jobs started after their runAt (+${delayMs / 1000} s)`, ids: delayed, met: (j) => completed(j) && j.startedAt !== null && j.startedAt >= j.runAt },
      { label: 'flaky charges completed on their 3rd attempt', ids: flaky, met: (j) => completed(j) && j.attempt === 3 },
      { label: 'always-failing jobs dead-lettered', ids: doomed, met: (j) => j.location === 'dead' },
    ],
  };
}

/** Reads the jobs not yet seen meeting their expectation; returns how many of each are met. */
export async function checkExpectations(store: JobStore, plan: Plan, met: Map<string, boolean>): Promise<number[]> {
  for (const e of plan.expectations) {
    for (const id of e.ids) {
      if (met.get(id) === true) continue;
      const found = await store.getJob(id);
      if (found === undefined) continue;
      const d = found.doc;
      met.set(id, e.met({ location: found.location, state: d.state, attempt: d.attempt, runAt: Date.parse(d.runAt), startedAt: d.startedAt === null ? null : Date.parse(d.startedAt) }));
    }
  }
  return plan.expectations.map((e) => e.ids.filter((id) => met.get(id) === true).length);
}
