/**
 * Cron expressions (cron-parser v5) with an optional seconds field and IANA time zones.
 *
 * Accepted: 5 fields (`min hour dom month dow`), 6 fields (`sec min hour dom month dow`), or a
 * predefined `@hourly`-style alias. cron-parser itself accepts fewer fields and reports unknown
 * zones as an opaque date error, so both are checked here first to give the reason.
 *
 * DST, as cron-parser computes it and as tested in test/dst.test.ts:
 * - spring forward: a wall time that does not exist (02:30 on the day clocks jump 02:00→03:00)
 *   fires once, at the first instant after the gap (03:30 local); nothing is skipped.
 * - fall back: a wall time that happens twice (01:30 on the day clocks go 02:00→01:00) fires
 *   once, at its first occurrence (daylight time). Expressions that name every hour or minute
 *   (`*\/30 * * * *`) fire in both repeated hours, so fires stay evenly spaced in real time.
 */
import { CronExpressionParser } from 'cron-parser';
import { ValidationError } from '@esjobs/core';

export const timeZoneDefault = 'UTC';

export interface CompiledCron {
  readonly cron: string;
  readonly tz: string;
  /** First fire strictly after `afterMs`, or undefined when the expression never fires again. */
  next(afterMs: number): number | undefined;
  /** Latest fire at or before `atMs`, or undefined when there is none. */
  latestAtOrBefore(atMs: number): number | undefined;
}

/** Throws ValidationError unless `tz` is an IANA zone name this runtime knows (`UTC`, `Europe/Paris`). */
export function validateTimeZone(tz: unknown, field = 'tz'): string {
  if (typeof tz !== 'string' || tz.trim() === '') throw new ValidationError(field, tz, 'must be an IANA time zone name such as "UTC" or "Europe/Paris"');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ValidationError(field, tz, 'unknown time zone (use an IANA name such as "UTC", "America/New_York" or "Europe/Paris")');
  }
  return tz;
}

function parse(cron: string, tz: string, currentDate: number): ReturnType<typeof CronExpressionParser.parse> {
  return CronExpressionParser.parse(cron, { tz, currentDate: new Date(currentDate) });
}

/** Validate and compile; errors name the field and say what is wrong with the expression. */
export function compileCron(cron: unknown, tz: unknown = timeZoneDefault, field = 'cron', tzField = 'tz'): CompiledCron {
  const zone = validateTimeZone(tz, tzField);
  if (typeof cron !== 'string' || cron.trim() === '') throw new ValidationError(field, cron, 'must be a cron expression such as "*/5 * * * *"');
  const expr = cron.trim();
  if (!expr.startsWith('@')) {
    const n = expr.split(/\s+/).length;
    if (n !== 5 && n !== 6) throw new ValidationError(field, cron, `has ${n} fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)`);
  }
  let probe;
  try {
    probe = parse(expr, zone, Date.UTC(2000, 0, 1));
  } catch (err) {
    throw new ValidationError(field, cron, `invalid cron expression: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!probe.hasNext()) throw new ValidationError(field, cron, 'never fires');
  return {
    cron: expr,
    tz: zone,
    next(afterMs) {
      const it = parse(expr, zone, afterMs);
      if (!it.hasNext()) return undefined;
      const t = it.next().getTime();
      // cron-parser steps from the start of the current second: never return a time at or before afterMs.
      return t > afterMs ? t : this.next(t);
    },
    latestAtOrBefore(atMs) {
      const it = parse(expr, zone, atMs + 1);
      if (!it.hasPrev()) return undefined;
      let t = it.prev().getTime();
      if (t > atMs) return this.latestAtOrBefore(t - 1);
      // prev() and next() disagree inside DST gaps; next() defines the fires, so walk forward with it.
      for (let n = this.next(t); n !== undefined && n <= atMs; n = this.next(t)) t = n;
      return t;
    },
  };
}
