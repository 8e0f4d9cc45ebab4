/**
 * Lock acquire+release cycles per second: one holder cycling through fresh resources
 * (uncontended), and 16 contenders with their own owner ids fighting over one resource (each
 * waits with the lock manager's backoff while another holds it).
 */
import type { Harness } from '../lib/harness.js';

export interface LockResults {
  readonly uncontendedOpsPerSec: number;
  readonly contended16OpsPerSec: number;
}

async function cycles(ms: number, contenders: number, resource: (c: number, i: number) => string, h: Harness): Promise<number> {
  let done = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: contenders }, async (_, c) => {
      for (let i = 0; performance.now() < end; i++) {
        const lock = await h.locks.acquire(resource(c, i), { ttl: '10s', wait: '30s', owner: `bench-${c}` });
        await lock.release();
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - start);
}

export async function benchLocks(h: Harness): Promise<LockResults> {
  const ms = h.quick ? 1_500 : 3_000;
  return {
    uncontendedOpsPerSec: await cycles(ms, 1, (_, i) => `u-${i}`, h),
    contended16OpsPerSec: await cycles(ms, 16, () => 'contended', h),
  };
}
