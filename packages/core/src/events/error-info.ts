import type { ErrorInfo } from './event-map.js';

/** Turn anything thrown into an ErrorInfo for an event payload (no stack unless asked). */
export function errorInfo(thrown: unknown, options: { stack?: boolean } = {}): ErrorInfo {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return {
      message: thrown.message,
      name: thrown.name,
      ...(typeof code === 'string' ? { code } : {}),
      ...(options.stack === true && thrown.stack !== undefined ? { stack: thrown.stack } : {}),
    };
  }
  return { message: typeof thrown === 'string' ? thrown : `non-error thrown: ${String(thrown)}` };
}
