/**
 * The runs of a worker, by job id. Not a `Map`: a busy worker adds and deletes dozens of entries
 * per claim round, and with a Map here (and the job context as a literal, see run-context.ts)
 * nearly every finished run, job document and payload included, was still reachable from the
 * old generation at the next young-generation collections and got promoted. V8 rebuilds a Map's
 * table as entries come and go and links each replaced table to its successor; properties of a
 * prototype-less object carry no such history.
 */
import type { ActiveJob } from './active-job.js';

export class RunningJobs {
  private readonly byId: Record<string, ActiveJob> = Object.create(null) as Record<string, ActiveJob>;

  get(id: string): ActiveJob | undefined {
    return this.byId[id];
  }

  set(id: string, run: ActiveJob): void {
    this.byId[id] = run;
  }

  delete(id: string): void {
    Reflect.deleteProperty(this.byId, id);
  }

  values(): ActiveJob[] {
    return Object.values(this.byId);
  }
}
