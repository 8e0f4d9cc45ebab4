/**
 * Dates as Elasticsearch's `date` fields see them: epoch milliseconds, parsed from the default
 * `strict_date_optional_time||epoch_millis` or a simple Java-style pattern, with date math.
 */

const ISO = /^([+-]?\d{4,})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export const defaultDateFormat = 'strict_date_optional_time||epoch_millis';

/** Parse a date value by format (`a||b` alternatives); undefined when no format accepts it. */
export function parseDate(value: unknown, format: string = defaultDateFormat, offsetMs = 0): number | undefined {
  for (const f of format.split('||')) {
    const r = parseOne(value, f.trim(), offsetMs);
    if (r !== undefined) return r;
  }
  return undefined;
}

function parseOne(value: unknown, format: string, offsetMs: number): number | undefined {
  if (format === 'epoch_millis') {
    if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Math.trunc(Number(value));
    return undefined;
  }
  if (format === 'epoch_second') {
    if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value * 1000);
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Math.trunc(Number(value) * 1000);
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (/^(strict_)?date_optional_time(_nanos)?$|^(strict_)?date_time(_no_millis)?$|^(strict_)?date$|^iso8601$/.test(format)) {
    return parseIso(value, offsetMs);
  }
  return parsePattern(value, format, offsetMs);
}

function parseIso(value: string, offsetMs: number): number | undefined {
  const m = ISO.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  const t = Date.UTC(Number(y), Number(mo ?? 1) - 1, Number(d ?? 1), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  if (Number.isNaN(t)) return undefined;
  return t - (zone === undefined ? offsetMs : zoneOffsetMs(zone));
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 3600_000 + Number(m[3] ?? 0) * 60_000);
}

/** `time_zone` as an offset in ms: `Z`, `UTC`, `+01:00`, `-0530`. Named zones other than UTC are not supported. */
export function parseTimeZone(tz: string): number | undefined {
  if (tz === 'Z' || tz.toUpperCase() === 'UTC' || tz === 'GMT') return 0;
  if (/^[+-]\d{2}(:?\d{2})?$/.test(tz)) return zoneOffsetMs(tz);
  return undefined;
}

const TOKENS: Record<string, [string, string]> = {
  yyyy: ['(\\d{4})', 'y'],
  uuuu: ['(\\d{4})', 'y'],
  MM: ['(\\d{2})', 'M'],
  dd: ['(\\d{2})', 'd'],
  HH: ['(\\d{2})', 'H'],
  mm: ['(\\d{2})', 'm'],
  ss: ['(\\d{2})', 's'],
  SSSSSSSSS: ['(\\d{9})', 'S'],
  SSSSSS: ['(\\d{6})', 'S'],
  SSS: ['(\\d{3})', 'S'],
};
const TOKEN_RE = /yyyy|uuuu|MM|dd|HH|mm|ss|SSSSSSSSS|SSSSSS|SSS|'[^']*'|./g;

function parsePattern(value: string, format: string, offsetMs: number): number | undefined {
  const parts: string[] = [];
  let re = '^';
  for (const m of format.matchAll(TOKEN_RE)) {
    const tok = TOKENS[m[0]];
    if (tok) {
      re += tok[0];
      parts.push(tok[1]);
    } else if (m[0].startsWith("'")) re += escapeRe(m[0].slice(1, -1));
    else re += escapeRe(m[0]);
  }
  const match = new RegExp(`${re}$`).exec(value);
  if (!match) return undefined;
  const f: Record<string, number> = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, S: 0 };
  parts.forEach((p, i) => {
    const v = match[i + 1] ?? '0';
    f[p] = p === 'S' ? Number(v.padEnd(3, '0').slice(0, 3)) : Number(v);
  });
  return Date.UTC(f.y ?? 1970, (f.M ?? 1) - 1, f.d ?? 1, f.H ?? 0, f.m ?? 0, f.s ?? 0, f.S ?? 0) - offsetMs;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Render epoch ms with the field's format (first alternative), as `key_as_string`/`value_as_string` do. */
export function formatDate(ms: number, format: string = defaultDateFormat, offsetMs = 0): string {
  const f = (format.split('||')[0] ?? '').trim();
  if (f === 'epoch_millis') return String(ms);
  if (f === 'epoch_second') return String(Math.trunc(ms / 1000));
  const d = new Date(ms + offsetMs);
  if (Number.isNaN(d.getTime())) return String(ms);
  const iso = /^(strict_)?date_optional_time(_nanos)?$|^(strict_)?date_time$|^iso8601$/.test(f);
  if (iso || f === '') {
    const s = d.toISOString();
    if (offsetMs === 0) return s;
    return s.slice(0, -1) + offsetString(offsetMs);
  }
  const pad = (n: number, w: number): string => String(n).padStart(w, '0');
  let out = '';
  for (const m of f.matchAll(TOKEN_RE)) {
    switch (m[0]) {
      case 'yyyy': case 'uuuu': out += pad(d.getUTCFullYear(), 4); break;
      case 'MM': out += pad(d.getUTCMonth() + 1, 2); break;
      case 'dd': out += pad(d.getUTCDate(), 2); break;
      case 'HH': out += pad(d.getUTCHours(), 2); break;
      case 'mm': out += pad(d.getUTCMinutes(), 2); break;
      case 'ss': out += pad(d.getUTCSeconds(), 2); break;
      case 'SSS': out += pad(d.getUTCMilliseconds(), 3); break;
      case 'SSSSSS': out += pad(d.getUTCMilliseconds(), 3) + '000'; break;
      case 'SSSSSSSSS': out += pad(d.getUTCMilliseconds(), 3) + '000000'; break;
      default: out += m[0].startsWith("'") ? m[0].slice(1, -1) : m[0];
    }
  }
  return out;
}

function offsetString(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms) / 60_000;
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Calendar units of date math and `calendar_interval`. */
export type DateUnit = 'y' | 'M' | 'w' | 'd' | 'h' | 'm' | 's' | 'q';

export function addUnits(ms: number, n: number, unit: DateUnit, offsetMs = 0): number {
  const d = new Date(ms + offsetMs);
  switch (unit) {
    case 'y': d.setUTCFullYear(d.getUTCFullYear() + n); break;
    case 'q': d.setUTCMonth(d.getUTCMonth() + 3 * n); break;
    case 'M': d.setUTCMonth(d.getUTCMonth() + n); break;
    case 'w': return ms + n * 7 * 86_400_000;
    case 'd': return ms + n * 86_400_000;
    case 'h': return ms + n * 3_600_000;
    case 'm': return ms + n * 60_000;
    case 's': return ms + n * 1000;
  }
  return d.getTime() - offsetMs;
}

/** Start of the calendar unit containing `ms` (in the given offset). */
export function floorUnit(ms: number, unit: DateUnit, offsetMs = 0): number {
  const d = new Date(ms + offsetMs);
  switch (unit) {
    case 'y': d.setUTCMonth(0, 1); d.setUTCHours(0, 0, 0, 0); break;
    case 'q': d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % 3), 1); d.setUTCHours(0, 0, 0, 0); break;
    case 'M': d.setUTCDate(1); d.setUTCHours(0, 0, 0, 0); break;
    case 'w': {
      const dow = (d.getUTCDay() + 6) % 7; // ISO weeks start on Monday
      d.setUTCDate(d.getUTCDate() - dow);
      d.setUTCHours(0, 0, 0, 0);
      break;
    }
    case 'd': d.setUTCHours(0, 0, 0, 0); break;
    case 'h': d.setUTCMinutes(0, 0, 0); break;
    case 'm': d.setUTCSeconds(0, 0); break;
    case 's': d.setUTCMilliseconds(0); break;
  }
  return d.getTime() - offsetMs;
}

/**
 * Evaluate `now-1h/d` or `2024-01-01||+1M/d`. `roundUp` makes `/unit` round to the last
 * millisecond of the unit (for `gt` and `lte`), as Elasticsearch does. Undefined when unparsable.
 */
export function dateMath(expr: unknown, now: number, roundUp: boolean, format?: string, offsetMs = 0): number | undefined {
  if (typeof expr === 'number') return parseDate(expr, format ?? defaultDateFormat, offsetMs) ?? Math.trunc(expr);
  if (typeof expr !== 'string') return undefined;
  let base: number | undefined;
  let math: string;
  if (expr.startsWith('now')) {
    base = now;
    math = expr.slice(3);
  } else {
    const i = expr.indexOf('||');
    const head = i >= 0 ? expr.slice(0, i) : expr;
    math = i >= 0 ? expr.slice(i + 2) : '';
    base = parseDate(head, format ?? defaultDateFormat, offsetMs);
    if (base === undefined && format !== undefined) base = parseDate(head, defaultDateFormat, offsetMs);
  }
  if (base === undefined) return undefined;
  let t = base;
  const re = /([+-])(\d*)([yMwdhHmsq])|\/([yMwdhHmsq])/gy;
  let pos = 0;
  while (pos < math.length) {
    re.lastIndex = pos;
    const m = re.exec(math);
    if (!m) return undefined;
    pos = re.lastIndex;
    if (m[4] !== undefined) {
      const unit = normUnit(m[4]);
      t = floorUnit(t, unit, offsetMs);
      if (roundUp) t = addUnits(t, 1, unit, offsetMs) - 1;
    } else {
      const n = m[2] === '' ? 1 : Number(m[2]);
      t = addUnits(t, m[1] === '-' ? -n : n, normUnit(m[3] ?? 's'), offsetMs);
    }
  }
  return t;
}

function normUnit(u: string): DateUnit {
  return (u === 'H' ? 'h' : u) as DateUnit;
}
