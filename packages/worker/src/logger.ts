/**
 * The logger the worker writes to and hands to handlers as `ctx.log`. Structured: a message plus
 * flat fields. The CLI supplies JSON / pretty implementations; library users can pass pino or
 * anything with these four methods (and, optionally, pino's `isLevelEnabled`, which lets the worker
 * skip building the fields of per-job debug lines nobody will see).
 */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Whether lines of `level` are written; without it every level counts as enabled. */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isLevelEnabled: () => false,
};

/** A logger that adds `fields` to every line (e.g. the job id for `ctx.log`). */
export function childLogger(parent: Logger, fields: LogFields): Logger {
  const merge = (extra?: LogFields): LogFields => (extra === undefined ? fields : { ...fields, ...extra });
  return {
    debug: (m, f) => parent.debug(m, merge(f)),
    info: (m, f) => parent.info(m, merge(f)),
    warn: (m, f) => parent.warn(m, merge(f)),
    error: (m, f) => parent.error(m, merge(f)),
    isLevelEnabled: (level) => parent.isLevelEnabled?.(level) ?? true,
  };
}
