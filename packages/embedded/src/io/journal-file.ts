import { Buffer } from 'node:buffer';
import { closeSync, fdatasync, fstatSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Journal, JournalRecord } from '../contracts.js';
import type { DataDirLock } from './data-dir-lock.js';
import { lockDataDir } from './data-dir-lock.js';
import { decodeFrames, encodeFrame } from './journal-frame.js';
import type { JournalOptions } from './journal-options.js';
import { withDefaults } from './journal-options.js';

/*
 * Data dir layout:
 *   LOCK               owner pid (one engine per dir)
 *   snapshot.esj       header {snapshot, nextLog} + records; replaced atomically (tmp, fsync, rename)
 *   log-<gen>.esj      header {log, gen} + records appended since the snapshot; gen >= nextLog
 * Recovery = snapshot, then every log from nextLog on, in order. Compaction rotates to a new log
 * and writes a snapshot of the engine taken at the same instant, then deletes the older logs.
 */

const SNAPSHOT = 'snapshot.esj';
const SNAPSHOT_TMP = 'snapshot.esj.tmp';
const LOG_NAME = /^log-(\d{6,})\.esj$/;

export interface RecoveryReport {
  readonly snapshotRecords: number;
  readonly logRecords: number;
  /** Bytes cut off the end of the last log (a torn or corrupt tail), 0 when clean. */
  readonly truncatedBytes: number;
}

export interface OpenedJournal {
  readonly journal: FileJournal;
  /** Replay these into the engine (applyJournalRecord) before serving. */
  readonly records: readonly JournalRecord[];
  readonly recovery: RecoveryReport;
}

/** Opens (creating if needed) and locks a data dir, and reads back what it holds. */
export async function openFileJournal(options: JournalOptions): Promise<OpenedJournal> {
  const opts = withDefaults(options);
  await mkdir(opts.dir, { recursive: true });
  const lock = await lockDataDir(opts.dir);
  try {
    await unlink(join(opts.dir, SNAPSHOT_TMP)).catch(() => undefined);
    const records: JournalRecord[] = [];
    let nextLog = 1;
    let snapshotRecords = 0;
    let snapshotBytes = 0;
    const snapshot = await readFile(join(opts.dir, SNAPSHOT)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (snapshot) {
      const { values, validBytes } = decodeFrames(snapshot);
      const header = values[0] as { snapshot?: number; nextLog?: number; records?: number } | undefined;
      // The snapshot is renamed into place only when complete: damage here is not a torn write.
      if (validBytes !== snapshot.length || header?.snapshot !== 1 || typeof header.nextLog !== 'number' || header.records !== values.length - 1) {
        throw new Error(`data dir ${opts.dir}: ${SNAPSHOT} is corrupt; refusing to start with partial data`);
      }
      nextLog = header.nextLog;
      snapshotRecords = values.length - 1;
      snapshotBytes = snapshot.length;
      for (let i = 1; i < values.length; i++) records.push(values[i] as JournalRecord);
    }
    const gens = (await readdir(opts.dir))
      .map((name) => LOG_NAME.exec(name)?.[1])
      .filter((g): g is string => g !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    let logRecords = 0;
    let truncatedBytes = 0;
    let lastGen = nextLog - 1;
    for (const gen of gens) {
      const path = join(opts.dir, logName(gen));
      // Logs below nextLog are already in the snapshot (compaction died before deleting them).
      if (gen < nextLog) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      const data = await readFile(path);
      const { values, validBytes } = decodeFrames(data);
      const header = values[0] as { log?: number; gen?: number } | undefined;
      const start = header?.log === 1 && header.gen === gen ? 1 : values.length;
      for (let i = start; i < values.length; i++) records.push(values[i] as JournalRecord);
      logRecords += Math.max(0, values.length - start);
      if (validBytes < data.length) {
        if (gen !== gens[gens.length - 1]) {
          throw new Error(`data dir ${opts.dir}: ${logName(gen)} is corrupt at byte ${validBytes} and is not the last log; refusing to start`);
        }
        truncatedBytes = data.length - validBytes;
        await truncate(path, validBytes);
        opts.onWarning(`data dir ${opts.dir}: dropped a torn or corrupt record at the end of ${logName(gen)} (${truncatedBytes} bytes)`);
      }
      lastGen = gen;
    }
    const journal = new FileJournal(opts, lock, Math.max(lastGen, nextLog), snapshotBytes);
    return { journal, records, recovery: { snapshotRecords, logRecords, truncatedBytes } };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

function logName(gen: number): string {
  return `log-${String(gen).padStart(6, '0')}.esj`;
}

type Waiter = { readonly upTo: number; readonly resolve: () => void; readonly reject: (e: unknown) => void };

/**
 * Append-only journal on a data dir. `commit()` writes everything appended so far with one
 * write(2) before it resolves, so acknowledged writes survive the process being killed; in fsync
 * mode it also waits for an fdatasync shared by every commit waiting at that moment (group commit).
 */
export class FileJournal implements Journal {
  private fd: number;
  private gen: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private logBytes = 0;
  /** Bytes written and fdatasync'ed, counted across log files. */
  private written = 0;
  private synced = 0;
  private syncing = false;
  private waiters: Waiter[] = [];
  private flushScheduled = false;
  private retired: number[] = [];
  private compacting: Promise<void> | undefined;
  private snapshotSource: (() => Iterable<JournalRecord>) | undefined;
  private closed = false;
  private failure: unknown;
  /** Number of compactions done, for tests and metrics. */
  compactions = 0;

  constructor(
    private readonly opts: ReturnType<typeof withDefaults>,
    private readonly lock: DataDirLock,
    gen: number,
    private snapshotBytes: number,
  ) {
    this.gen = gen;
    this.fd = this.openLog(gen);
  }

  /** Where compaction gets the live state; the engine's `snapshotRecords()`. */
  setSnapshotSource(source: () => Iterable<JournalRecord>): void {
    this.snapshotSource = source;
  }

  append(record: JournalRecord): void {
    if (this.closed) throw new Error('journal is closed');
    const frame = encodeFrame(record);
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    // A write nobody commits still reaches the file soon.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushQuietly();
      });
    }
  }

  commit(): Promise<void> {
    try {
      this.flush();
    } catch (err) {
      return Promise.reject(err);
    }
    this.maybeCompact();
    if (!this.opts.fsync || this.synced >= this.written) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ upTo: this.written, resolve, reject });
      this.syncNext();
    });
  }

  /** Writes a snapshot of the live state and starts a new log. Safe to call any time. */
  compact(): Promise<void> {
    this.compacting ??= this.doCompact().finally(() => {
      this.compacting = undefined;
    });
    return this.compacting;
  }

  get bytesInLog(): number {
    return this.logBytes + this.pendingBytes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.compacting?.catch(() => undefined);
    this.flushQuietly();
    this.closed = true;
    if (this.opts.fsync && this.failure === undefined) {
      fsyncSync(this.fd);
      this.markSynced(this.written);
    }
    await this.waitForSyncs();
    closeSync(this.fd);
    await this.lock.release();
  }

  private flush(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 && this.pending[0] ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      let off = 0;
      while (off < data.length) off += writeSync(this.fd, data, off);
    } catch (err) {
      // The log may now end in a partial frame; recovery drops it. Nothing more can be acknowledged.
      this.failure = err;
      throw err;
    }
    this.logBytes += data.length;
    this.written += data.length;
  }

  private flushQuietly(): void {
    try {
      this.flush();
    } catch (err) {
      this.opts.onWarning(`journal write failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private syncNext(): void {
    if (this.syncing || this.waiters.length === 0) return;
    this.syncing = true;
    const upTo = this.written;
    const fd = this.fd;
    fdatasync(fd, (err) => {
      this.syncing = false;
      for (const retired of this.retired.splice(0)) closeSync(retired);
      if (err) {
        const failed = this.waiters.filter((w) => w.upTo <= upTo);
        this.waiters = this.waiters.filter((w) => w.upTo > upTo);
        for (const w of failed) w.reject(err);
      } else {
        this.markSynced(upTo);
      }
      this.syncNext();
    });
  }

  private markSynced(upTo: number): void {
    this.synced = Math.max(this.synced, upTo);
    const ready = this.waiters.filter((w) => w.upTo <= this.synced);
    this.waiters = this.waiters.filter((w) => w.upTo > this.synced);
    for (const w of ready) w.resolve();
  }

  private waitForSyncs(): Promise<void> {
    if (!this.syncing && this.waiters.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiters.push({ upTo: 0, resolve, reject: () => resolve() });
      this.syncNext();
    });
  }

  private maybeCompact(): void {
    if (!this.snapshotSource || this.compacting || this.closed) return;
    const threshold = Math.max(this.opts.compactMinLogBytes, this.snapshotBytes * this.opts.compactRatio);
    if (this.logBytes > threshold) void this.compact().catch((err: unknown) => this.opts.onWarning(`compaction failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  private async doCompact(): Promise<void> {
    const source = this.snapshotSource;
    if (!source || this.closed) return;
    // Rotate and capture the state in the same tick: the snapshot holds exactly what the old
    // logs hold, and every later append goes to the new log.
    this.flush();
    const oldFd = this.fd;
    if (this.opts.fsync) {
      fsyncSync(oldFd);
      this.markSynced(this.written);
    }
    this.gen += 1;
    this.fd = this.openLog(this.gen);
    this.logBytes = 0;
    // An fdatasync may still be running on the old descriptor.
    if (this.syncing) this.retired.push(oldFd);
    else closeSync(oldFd);
    const records = [...source()];

    const frames: Buffer[] = [encodeFrame({ snapshot: 1, nextLog: this.gen, records: records.length })];
    for (const r of records) frames.push(encodeFrame(r));
    const data = Buffer.concat(frames);
    const tmp = join(this.opts.dir, SNAPSHOT_TMP);
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.opts.dir, SNAPSHOT));
    await syncDir(this.opts.dir);
    this.snapshotBytes = data.length;
    for (const name of await readdir(this.opts.dir)) {
      const g = LOG_NAME.exec(name)?.[1];
      if (g !== undefined && Number(g) < this.gen) await unlink(join(this.opts.dir, name)).catch(() => undefined);
    }
    this.compactions++;
  }

  private openLog(gen: number): number {
    const path = join(this.opts.dir, logName(gen));
    const fd = openSync(path, 'a');
    const header = encodeFrame({ log: 1, gen });
    // A log reopened after recovery already has its header.
    if (this.isEmpty(fd)) {
      writeSync(fd, header);
      if (this.opts.fsync) {
        fsyncSync(fd);
        syncDirSync(this.opts.dir);
      }
    }
    return fd;
  }

  private isEmpty(fd: number): boolean {
    // 'a' mode: writes append; the size tells us whether the header is there.
    return fstatSync(fd).size === 0;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

function syncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch {
    // See syncDir.
  } finally {
    closeSync(fd);
  }
}
