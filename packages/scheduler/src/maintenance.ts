/**
 * The maintenance loop of `esjobs scheduler start`: retention of finished jobs and of events,
 * repair of half-finished dead-letter moves, and reaping of expired leases. Each task runs on its
 * own interval in every process, but only the process that takes the task's lock does the work:
 * the lock is never released, it expires just before the next interval, so one process works
 * per interval without any leader. Reaping shares the workers' lock (`esjobs:reaper`), so it
 * happens once per interval whether workers, schedulers or both are running.
 */
import { type BackendContext, type EventBus, JobStore, LockManager, errorInfo, purgeEvents, retainJobs } from '@esjobs/core';
import { type MaintenanceOptions, type ResolvedMaintenanceOptions, validate } from './maintenance-options.js';

export const maintenanceTasks = ['jobs-retention', 'events-retention', 'dead-letter-repair', 'reap-leases'] as const;
export type MaintenanceTask = (typeof maintenanceTasks)[number];

/** Lock resource per task; `reap-leases` is the one the workers use. */
export const maintenanceLocks: Readonly<Record<MaintenanceTask, string>> = {
  'jobs-retention': 'esjobs:maintenance:jobs-retention',
  'events-retention': 'esjobs:maintenance:events-retention',
  'dead-letter-repair': 'esjobs:maintenance:dead-letter-repair',
  'reap-leases': 'esjobs:reaper',
};

export interface MaintenanceDeps {
  readonly ctx: BackendContext;
  readonly events: EventBus;
  /** Lock owner id (the scheduler process). */
  readonly owner?: string;
}

export class Maintenance {
  readonly options: ResolvedMaintenanceOptions;
  private readonly ctx: BackendContext;
  private readonly events: EventBus;
  private readonly store: JobStore;
  private readonly locks: LockManager;
  private readonly timers = new Map<MaintenanceTask, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private started = false;

  constructor(deps: MaintenanceDeps, options?: MaintenanceOptions) {
    this.options = validate(options);
    this.ctx = deps.ctx;
    this.events = deps.events;
    this.store = new JobStore(deps.ctx);
    this.locks = new LockManager({ ctx: deps.ctx, bus: deps.events, ...(deps.owner === undefined ? {} : { owner: deps.owner }) });
  }

  intervalMs(task: MaintenanceTask): number {
    const o = this.options;
    switch (task) {
      case 'jobs-retention':
        return o.jobsRetentionIntervalMs;
      case 'events-retention':
        return o.eventsRetentionIntervalMs;
      case 'dead-letter-repair':
        return o.repairIntervalMs;
      case 'reap-leases':
        return o.reapIntervalMs;
    }
  }

  /** Start every task: first run soon (spread over a second), then once per interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const task of maintenanceTasks) this.arm(task, Math.floor(this.ctx.random() * 1000));
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    await this.store.close();
  }

  private arm(task: MaintenanceTask, delayMs: number): void {
    const timer = setTimeout(() => {
      const p = this.runLocked(task).finally(() => {
        this.running.delete(p);
        if (this.started) this.arm(task, this.intervalMs(task));
      });
      this.running.add(p);
    }, delayMs);
    timer.unref();
    this.timers.set(task, timer);
  }

  /** Run `task` if this process gets its lock for this interval; returns what it affected, or undefined when another process holds it. */
  async runLocked(task: MaintenanceTask): Promise<number | undefined> {
    try {
      const lock = await this.locks.tryAcquire(maintenanceLocks[task], { ttlMs: Math.max(10, Math.floor(this.intervalMs(task) * 0.9)) });
      if (lock === null) return undefined;
      return await this.run(task);
    } catch (err) {
      this.events.emit('error', { at: this.ctx.clock.now(), component: 'maintenance', error: errorInfo(err) });
      return undefined;
    }
  }

  /** Run `task` now, without the lock (tests, admin commands); emits a `maintenance` event. */
  async run(task: MaintenanceTask): Promise<number> {
    const started = this.ctx.clock.now();
    const affected = await this.work(task, started);
    this.events.emit('maintenance', { at: this.ctx.clock.now(), task, affected, durationMs: this.ctx.clock.now() - started });
    return affected;
  }

  private async work(task: MaintenanceTask, now: number): Promise<number> {
    const o = this.options;
    switch (task) {
      case 'jobs-retention': {
        let n = 0;
        for (const [state, maxAge, maxCount] of [
          ['completed', o.completedMaxAgeMs, o.completedMaxCount],
          ['failed', o.failedMaxAgeMs, o.failedMaxCount],
        ] as const) {
          if (maxAge === null && maxCount === null) continue;
          n += await retainJobs(this.ctx, {
            state,
            ...(maxAge === null ? {} : { finishedBefore: now - maxAge }),
            ...(maxCount === null ? {} : { keepPerQueue: maxCount }),
          });
        }
        return n;
      }
      case 'events-retention':
        return purgeEvents(this.ctx, { retention: o.eventsMaxAgeMs });
      case 'dead-letter-repair': {
        const r = await this.store.repairDeadLetters();
        return r.movesFinished.length + r.redrivesFinished.length;
      }
      case 'reap-leases': {
        const r = await this.store.reapExpired();
        return r.jobs.length;
      }
    }
  }
}
