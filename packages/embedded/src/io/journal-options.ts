export interface JournalOptions {
  /** Data directory; created if missing. */
  readonly dir: string;
  /**
   * fdatasync before acknowledging (group commit: one sync for all writes waiting), for
   * power-loss safety. Without it acknowledged writes are in the OS and survive a process kill.
   * @defaultValue false
   */
  readonly fsync?: boolean;
  /**
   * Compaction starts when the log is larger than this many bytes and than
   * `compactRatio` × the last snapshot.
   * @defaultValue 67108864 (64 MiB)
   */
  readonly compactMinLogBytes?: number;
  /**
   * See `compactMinLogBytes`.
   * @defaultValue 2
   */
  readonly compactRatio?: number;
  /**
   * Where recovery and background problems are reported.
   * @defaultValue `console.warn`
   */
  readonly onWarning?: (message: string) => void;
}

export const journalFsyncDefault = false;
export const journalCompactMinLogBytesDefault = 64 * 1024 * 1024;
export const journalCompactRatioDefault = 2;

export interface ResolvedJournalOptions {
  readonly dir: string;
  readonly fsync: boolean;
  readonly compactMinLogBytes: number;
  readonly compactRatio: number;
  readonly onWarning: (message: string) => void;
}

export function withDefaults(options: JournalOptions): ResolvedJournalOptions {
  validate(options);
  return {
    dir: options.dir,
    fsync: options.fsync ?? journalFsyncDefault,
    compactMinLogBytes: options.compactMinLogBytes ?? journalCompactMinLogBytesDefault,
    compactRatio: options.compactRatio ?? journalCompactRatioDefault,
    onWarning: options.onWarning ?? ((m) => console.warn(m)),
  };
}

export function validate(options: JournalOptions): void {
  if (typeof options.dir !== 'string' || options.dir === '') throw new RangeError(`dir must be a non-empty path, got ${JSON.stringify(options.dir)}`);
  if (options.compactMinLogBytes !== undefined && !(Number.isInteger(options.compactMinLogBytes) && options.compactMinLogBytes >= 0)) {
    throw new RangeError(`compactMinLogBytes must be an integer >= 0, got ${String(options.compactMinLogBytes)}`);
  }
  if (options.compactRatio !== undefined && !(Number.isFinite(options.compactRatio) && options.compactRatio >= 0)) {
    throw new RangeError(`compactRatio must be a number >= 0, got ${String(options.compactRatio)}`);
  }
}
