import { setTimeout as sleep } from 'node:timers/promises';

/*
 * Leak tracking: helpers register what they start (engines, servers, child processes, clients)
 * and tests fail when a test leaves one open, or leaves referenced timers behind.
 */

export interface Closable {
  readonly label: string;
  close(): Promise<void> | void;
}

const open = new Set<Closable>();

/** Registers something a test must close; returns a function that unregisters it. */
export function track(item: Closable): () => void {
  open.add(item);
  return () => open.delete(item);
}

export function openResources(): Closable[] {
  return [...open];
}

/** Closes everything still registered (used by suite teardown), returning the labels closed. */
export async function closeAll(): Promise<string[]> {
  const items = [...open];
  open.clear();
  await Promise.allSettled(items.map(async (i) => i.close()));
  return items.map((i) => i.label);
}

/** Referenced timers right now (unref'ed timers do not keep the process alive and are not counted). */
export function refTimerCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/**
 * Waits briefly for timers to settle back to `baseline`; returns the excess (0 = no leak).
 * Latency faults and client internals may hold a timer for a few ms after a test.
 */
export async function timerExcess(baseline: number, graceMs = 300): Promise<number> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const excess = refTimerCount() - baseline;
    if (excess <= 0 || Date.now() >= deadline) return Math.max(0, excess);
    await sleep(20, undefined, { ref: false });
  }
}

/**
 * Installs per-test leak checks in the current describe: anything registered with `track` during a
 * test must be closed by its end, and referenced timers must be back to where they were.
 */
export function useLeakCheck(): void {
  let baselineTimers = 0;
  let before = new Set<Closable>();
  beforeEach(() => {
    baselineTimers = refTimerCount();
    before = new Set(open);
  });
  // A hook failure is reported against the test that leaked (mocha names it in the hook title).
  afterEach(async () => {
    const leaked = [...open].filter((i) => !before.has(i));
    if (leaked.length > 0) {
      for (const i of leaked) open.delete(i);
      await Promise.allSettled(leaked.map(async (i) => i.close()));
      throw new Error(`test left open: ${leaked.map((i) => i.label).join(', ')}`);
    }
    const excess = await timerExcess(baselineTimers);
    if (excess > 0) throw new Error(`test left ${excess} referenced timer(s) running`);
  });
}
