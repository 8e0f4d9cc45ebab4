/** One CLI command: `esjobs <words...> [flags]`. Add a file in commands/ and a line in registry.ts. */
export interface Command {
  /** The words that select it, e.g. `['engine', 'start']`. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  /** Extra help text after the flag list. */
  readonly details?: string;
  /** Returns the exit code. Long-running commands finish when `ctx.signal` aborts (SIGTERM/SIGINT), at once on `ctx.forceSignal`. */
  run(ctx: CommandContext): Promise<number>;
}

export interface FlagSpec {
  /** Long name without dashes, kebab-case (`data-dir`). Also read from `ESJOBS_<NAME>` (`ESJOBS_DATA_DIR`). */
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** Shown in help; the command applies its own defaults. */
  readonly defaultText?: string;
  /** Placeholder in help (`DIR`). */
  readonly valueName?: string;
  /** May be given several times (values collected in order). */
  readonly multiple?: boolean;
  /** Never echoed (help shows no env value, errors don't print it). */
  readonly secret?: boolean;
  /** Environment variable when it is not `ESJOBS_<NAME>` (e.g. `--es` → `ESJOBS_ES_URL`). */
  readonly env?: string;
}

export type FlagValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

export interface CommandContext {
  readonly flags: FlagValues;
  /** Positional arguments after the command words. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Aborted on SIGTERM/SIGINT. */
  readonly signal: AbortSignal;
  /**
   * Aborted on a second SIGTERM/SIGINT: stop now, giving back what can be given back quickly;
   * the process exits about 2 s later whatever happens. @defaultValue never aborted (runCli
   * always sets it; optional so hand-built contexts in tests stay valid)
   */
  readonly forceSignal?: AbortSignal;
}

/** A bad invocation: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined || typeof v === 'string') return v;
  throw new UsageError(`--${name} expects a value`);
}

export function listFlag(flags: FlagValues, name: string): readonly string[] {
  const v = flags[name];
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (typeof v === 'boolean') throw new UsageError(`--${name} expects a value`);
  return v;
}

export function booleanFlag(flags: FlagValues, name: string): boolean {
  const v = flags[name];
  return v === true;
}
