import type { AuthOptions } from './auth.js';
import { validateAuth } from './auth.js';
import { parseByteSize } from './byte-size.js';
import type { FaultOptions, FaultProfileName, Faults } from './faults.js';
import { isFaultProfileName, validateFaultOptions } from './faults.js';

export interface ServerOptions {
  /**
   * Interface to bind. Anything but loopback exposes the engine to the network.
   * @defaultValue `'127.0.0.1'`
   */
  readonly host?: string;
  /**
   * TCP port; 0 picks a free one (read it back from the handle).
   * @defaultValue 9200
   */
  readonly port?: number;
  /**
   * Largest accepted request body (after decompression), like `http.max_content_length`; larger
   * bodies get a 413. Bytes or a size string.
   * @defaultValue `'100mb'`
   */
  readonly maxBody?: number | string;
  /**
   * Basic-auth users and API keys; without any, requests are not authenticated.
   * @defaultValue no authentication
   */
  readonly auth?: AuthOptions;
  /**
   * Fault injection: a `Faults` instance (to reconfigure at runtime), options, or a profile name.
   * @defaultValue no faults
   */
  readonly faults?: Faults | FaultOptions | FaultProfileName;
  /**
   * How long an idle keep-alive connection stays open.
   * @defaultValue 30000
   */
  readonly keepAliveTimeoutMs?: number;
  /**
   * On close, how long in-flight requests get to finish before their sockets are destroyed.
   * @defaultValue 5000
   */
  readonly closeGraceMs?: number;
}

export const serverHostDefault = '127.0.0.1';
export const serverPortDefault = 9200;
export const serverMaxBodyDefault = '100mb';
export const serverKeepAliveTimeoutMsDefault = 30_000;
export const serverCloseGraceMsDefault = 5_000;

export interface ResolvedServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
  readonly auth: AuthOptions;
  readonly faults: Faults | FaultOptions | FaultProfileName | undefined;
  readonly keepAliveTimeoutMs: number;
  readonly closeGraceMs: number;
}

export function withDefaults(options: ServerOptions = {}): ResolvedServerOptions {
  validate(options);
  return {
    host: options.host ?? serverHostDefault,
    port: options.port ?? serverPortDefault,
    maxBodyBytes: parseByteSize(options.maxBody ?? serverMaxBodyDefault, 'maxBody'),
    auth: options.auth ?? {},
    faults: options.faults,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? serverKeepAliveTimeoutMsDefault,
    closeGraceMs: options.closeGraceMs ?? serverCloseGraceMsDefault,
  };
}

export function validate(options: ServerOptions): void {
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new RangeError(`host must be a non-empty string, got ${JSON.stringify(options.host)}`);
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    throw new RangeError(`port must be an integer 0..65535, got ${String(options.port)}`);
  }
  if (options.maxBody !== undefined) parseByteSize(options.maxBody, 'maxBody');
  validateAuth(options.auth);
  if (typeof options.faults === 'string' && !isFaultProfileName(options.faults)) {
    throw new RangeError(`faults must be a profile name (none, realistic), options or a Faults instance, got "${options.faults}"`);
  }
  if (typeof options.faults === 'object' && !('decide' in options.faults)) validateFaultOptions(options.faults);
  for (const key of ['keepAliveTimeoutMs', 'closeGraceMs'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`${key} must be a number of ms >= 0, got ${String(v)}`);
  }
}
