/**
 * Loggers for `esjobs worker start`: one JSON object per line (for log shippers) or a short
 * human-readable line (`pretty`), filtered by level. Lines go to stdout; the CLI's own fatal
 * errors go to stderr.
 */
import type { LogFields, Logger } from '@esjobs/worker';

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];
export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

export interface LineWriter {
  write(line: string): void;
}

function renderValue(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) || v === '' ? JSON.stringify(v) : v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function createCliLogger(format: LogFormat, level: LogLevel, out: LineWriter, now: () => number = Date.now): Logger {
  const min = logLevels.indexOf(level);
  const line = (lvl: LogLevel, message: string, fields?: LogFields): void => {
    if (logLevels.indexOf(lvl) < min) return;
    const time = new Date(now()).toISOString();
    if (format === 'json') {
      let text: string;
      try {
        text = JSON.stringify({ time, level: lvl, msg: message, ...fields });
      } catch {
        text = JSON.stringify({ time, level: lvl, msg: message });
      }
      out.write(`${text}\n`);
      return;
    }
    const extra = fields === undefined ? '' : Object.entries(fields).map(([k, v]) => ` ${k}=${renderValue(v)}`).join('');
    out.write(`${time.slice(11, 23)} ${lvl.toUpperCase().padEnd(5)} ${message}${extra}\n`);
  };
  return {
    debug: (m, f) => line('debug', m, f),
    info: (m, f) => line('info', m, f),
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
    isLevelEnabled: (lvl) => logLevels.indexOf(lvl) >= min,
  };
}
