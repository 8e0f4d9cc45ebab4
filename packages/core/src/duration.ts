import ms from 'ms';
import { ValidationError } from './errors.js';

/** A duration: milliseconds as a number, or an `ms` string such as `"30s"`, `"5m"`, `"1.5h"`. */
export type Duration = number | string;

/**
 * Parse a Duration to whole milliseconds. Rejects negative numbers, NaN, and strings `ms` does not
 * understand, naming the field: `parseDuration('lease', '3 fortnights')` throws
 * `lease: not a duration ... (got "3 fortnights")`.
 */
export function parseDuration(field: string, value: unknown, options: { allowZero?: boolean } = {}): number {
  let out: number | undefined;
  if (typeof value === 'number') out = value;
  else if (typeof value === 'string' && value.trim() !== '') {
    const trimmed = value.trim();
    out = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : (ms as (v: string) => number | undefined)(trimmed);
  }
  if (out === undefined || !Number.isFinite(out)) {
    throw new ValidationError(field, value, 'not a duration: use milliseconds as a number or a string like "500ms", "30s", "5m", "2h", "1d"');
  }
  if (out < 0 || (out === 0 && options.allowZero !== true)) {
    throw new ValidationError(field, value, options.allowZero === true ? 'must not be negative' : 'must be positive');
  }
  return Math.round(out);
}
