import { Engine } from '../engine.js';
import type { EngineOptions } from '../store/options.js';
import type { EngineServer } from './http-server.js';
import { serveEngine } from './http-server.js';
import type { FileJournal, RecoveryReport } from './journal-file.js';
import { openFileJournal } from './journal-file.js';
import type { JournalOptions } from './journal-options.js';
import type { ServerOptions } from './server-options.js';
import type { Faults } from './faults.js';

export interface StartEngineOptions extends ServerOptions, Omit<EngineOptions, 'journal'> {
  /**
   * Data directory for durability; without it the engine keeps everything in memory.
   * @defaultValue `undefined` (in memory)
   */
  readonly dataDir?: string;
  /**
   * With `dataDir`: fdatasync before acknowledging writes (group commit).
   * @defaultValue false
   */
  readonly fsync?: boolean;
  /** With `dataDir`: compaction thresholds and warnings, see JournalOptions. @defaultValue none */
  readonly journal?: Omit<JournalOptions, 'dir' | 'fsync'>;
}

export interface StartedEngine {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly engine: Engine;
  readonly faults: Faults;
  /** The data dir's journal, when there is one. */
  readonly journal: FileJournal | undefined;
  /** What recovery found in the data dir, when there is one. */
  readonly recovery: RecoveryReport | undefined;
  /** Stops the server, then the engine, then flushes and unlocks the data dir. */
  close(): Promise<void>;
}

/** Starts an engine (recovering its data dir if given) and serves it over HTTP. */
export async function startEngine(options: StartEngineOptions = {}): Promise<StartedEngine> {
  const { dataDir, fsync, journal: journalOptions, host, port, maxBody, auth, faults, keepAliveTimeoutMs, closeGraceMs, ...engineOptions } = options;
  const opened = dataDir ? await openFileJournal({ ...journalOptions, dir: dataDir, fsync: fsync ?? false }) : undefined;
  let engine: Engine | undefined;
  try {
    engine = new Engine({ ...engineOptions, journal: opened?.journal });
    for (const record of opened?.records ?? []) engine.applyJournalRecord(record);
    const live = engine;
    opened?.journal.setSnapshotSource(() => live.snapshotRecords());
    const server: EngineServer = await serveEngine(engine, { host, port, maxBody, auth, faults, keepAliveTimeoutMs, closeGraceMs });
    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      host: server.host,
      port: server.port,
      engine,
      faults: server.faults,
      journal: opened?.journal,
      recovery: opened?.recovery,
      close() {
        closing ??= (async () => {
          await server.close();
          await live.close();
          await opened?.journal.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    try {
      await engine?.close();
    } catch {
      // Already failing; the original error matters.
    }
    await opened?.journal.close().catch(() => undefined);
    throw err;
  }
}
