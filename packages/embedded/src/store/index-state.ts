import { randomBytes } from 'node:crypto';
import type { IndexHandle, JournalRecord, StoredDoc } from '../contracts.js';
import { SearchIndex } from '../search/index.js';
import type { Mapping, UpdatedVersion } from './mapping.js';
import { parseTimeValue } from './settings.js';
import type { FlatSettings } from './settings.js';

/** What the index needs from the engine that owns it. */
export interface IndexHost {
  /** Journal a mutation (already applied in memory). */
  record(rec: JournalRecord): void;
  /** false when there is no journal, so records need not be built at all. */
  readonly journaling: boolean;
  readonly defaultRefreshIntervalMs: number;
  /** Fault injection: extra delay before scheduled refreshes. */
  readonly refreshDelayMs: number;
  now(): number;
}

export interface WriteShards {
  readonly total: number;
  readonly successful: number;
  readonly failed: number;
}

interface Tombstone {
  readonly version: number;
  readonly seqNo: number;
  readonly primaryTerm: number;
  readonly at: number;
}

/** Deleted documents' versions are remembered this long, like `index.gc_deletes`. */
const gcDeletesMs = 60_000;

export function newUuid(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/**
 * One index: live documents (real-time reads), the changes not yet refreshed, the search side
 * they are handed to on refresh, sequence numbers, and the refresh schedule.
 */
export class IndexState implements IndexHandle {
  readonly name: string;
  readonly uuid: string;
  readonly creationDate: number;
  readonly mapping: Mapping;
  private settingsValue: FlatSettings;
  /** `_shards` of a write response, derived from the settings once and shared (frozen) by every response. */
  /** Parsed `index.refresh_interval`, cached: with `-1` every write would otherwise parse it again. */
  private intervalMs: number | undefined;
  private shards: WriteShards = Object.freeze({ total: 2, successful: 1, failed: 0 });
  readonly searchSide: SearchIndex;
  readonly primaryTerm = 1;
  private readonly live = new Map<string, StoredDoc>();
  private readonly tombstones = new Map<string, Tombstone>();
  private pending = new Map<string, StoredDoc | null>();
  private nextSeqNo = 0;
  private refreshedSeqNo = -1;
  private waiters: Array<{ seqNo: number; resolve: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  /** Scheduled refreshes fall on this time plus whole intervals (wall clock, like the timers). */
  private refreshAnchorMs = Date.now();
  private readonly host: IndexHost;
  private closed = false;

  constructor(host: IndexHost, name: string, mapping: Mapping, settings: FlatSettings, uuid = newUuid(), creationDate = host.now()) {
    this.host = host;
    this.name = name;
    this.uuid = uuid;
    this.creationDate = creationDate;
    this.mapping = mapping;
    this.settingsValue = settings;
    this.settings = settings;
    this.searchSide = new SearchIndex(mapping);
  }

  get settings(): FlatSettings {
    return this.settingsValue;
  }

  set settings(s: FlatSettings) {
    this.settingsValue = s;
    this.intervalMs = undefined;
    const replicas = Number(s['index.number_of_replicas'] ?? '1');
    this.shards = Object.freeze({ total: 1 + (Number.isFinite(replicas) ? replicas : 1), successful: 1, failed: 0 });
  }

  /** `_shards` of a write: one primary plus the configured replicas, none of which exist on one node. */
  get writeShards(): WriteShards {
    return this.shards;
  }

  get docCount(): number {
    return this.live.size;
  }

  get maxSeqNo(): number {
    return this.nextSeqNo - 1;
  }

  getLive(id: string): StoredDoc | undefined {
    return this.live.get(id);
  }

  tombstone(id: string): Tombstone | undefined {
    const t = this.tombstones.get(id);
    if (t && this.host.now() - t.at > gcDeletesMs) {
      this.tombstones.delete(id);
      return undefined;
    }
    return t;
  }

  /** Remembered deletes (id, version, seqNo), so compaction keeps versions and the sequence high-water mark. */
  deletes(): IterableIterator<[string, Tombstone]> {
    return this.tombstones.entries();
  }

  liveDocs(): IterableIterator<StoredDoc> {
    return this.live.values();
  }

  /**
   * Index a document (conditions already checked); parses it against the mapping first, so a
   * mapping error changes nothing. `prev`: the version a partial update (`patch`) was merged into,
   * whose values the untouched keys may keep.
   */
  put(id: string, source: Readonly<Record<string, unknown>>, version: number, prev?: UpdatedVersion): StoredDoc {
    const { fields } = this.mapping.parseDocument(source, id, prev);
    const doc: StoredDoc = { index: this.name, id, source, seqNo: this.nextSeqNo++, primaryTerm: this.primaryTerm, version, fields };
    this.live.set(id, doc);
    this.tombstones.delete(id);
    this.pending.set(id, doc);
    if (this.host.journaling) this.host.record({ op: 'put_doc', index: this.name, id, source, seqNo: doc.seqNo, primaryTerm: doc.primaryTerm, version });
    this.scheduleRefresh();
    return doc;
  }

  /** Delete (or record a not-found delete, which also takes a sequence number as in Elasticsearch). */
  remove(id: string, version: number): { seqNo: number; primaryTerm: number; version: number } {
    const seqNo = this.nextSeqNo++;
    const existed = this.live.delete(id);
    this.tombstones.delete(id);
    this.tombstones.set(id, { version, seqNo, primaryTerm: this.primaryTerm, at: this.host.now() });
    if (existed) this.pending.set(id, null);
    if (this.host.journaling) this.host.record({ op: 'delete_doc', index: this.name, id, seqNo, primaryTerm: this.primaryTerm, version });
    if (existed) this.scheduleRefresh();
    return { seqNo, primaryTerm: this.primaryTerm, version };
  }

  deleteIfMatch(id: string, seqNo: number, primaryTerm: number): 'deleted' | 'conflict' | 'missing' {
    const cur = this.live.get(id);
    if (!cur) return 'missing';
    if (cur.seqNo !== seqNo || cur.primaryTerm !== primaryTerm) return 'conflict';
    this.remove(id, cur.version + 1);
    return 'deleted';
  }

  /** Replay a journaled document write with its recorded sequence number. */
  replayPut(id: string, source: Readonly<Record<string, unknown>>, seqNo: number, primaryTerm: number, version: number): void {
    const { fields } = this.mapping.parseDocument(source, id);
    const doc: StoredDoc = { index: this.name, id, source, seqNo, primaryTerm, version, fields };
    this.live.set(id, doc);
    this.tombstones.delete(id);
    this.pending.set(id, doc);
    this.nextSeqNo = Math.max(this.nextSeqNo, seqNo + 1);
  }

  replayDelete(id: string, seqNo: number, primaryTerm: number, version: number): void {
    if (this.live.delete(id)) this.pending.set(id, null);
    this.tombstones.delete(id);
    this.tombstones.set(id, { version, seqNo, primaryTerm, at: this.host.now() });
    this.nextSeqNo = Math.max(this.nextSeqNo, seqNo + 1);
  }

  /** Hand pending changes to the search side and wake `wait_for` writers they cover. */
  refresh(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size) {
      const changes = this.pending;
      this.pending = new Map();
      this.searchSide.applyRefresh(changes);
    }
    this.refreshedSeqNo = this.nextSeqNo - 1;
    if (this.waiters.length) {
      const ready = this.waiters;
      this.waiters = [];
      for (const w of ready) w.resolve();
    }
    this.pruneTombstones();
  }

  /** Resolves once a refresh has made the write with `seqNo` visible (`refresh=wait_for`). */
  waitForRefresh(seqNo: number): Promise<void> {
    if (seqNo <= this.refreshedSeqNo || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ seqNo, resolve });
      this.scheduleRefresh();
    });
  }

  refreshIntervalMs(): number {
    if (this.intervalMs === undefined) {
      const s = this.settings['index.refresh_interval'];
      this.intervalMs = s === undefined ? this.host.defaultRefreshIntervalMs : parseTimeValue(s, 'index.refresh_interval');
    }
    return this.intervalMs;
  }

  /** Re-arm the schedule after a settings change. */
  rescheduleRefresh(): void {
    this.refreshAnchorMs = Date.now();
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size || this.waiters.length) this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    if (this.timer !== undefined || this.closed) return;
    const interval = this.refreshIntervalMs();
    if (interval < 0) return;
    // Elasticsearch refreshes on a fixed schedule, so a write becomes searchable after 0 to one
    // interval (half on average); a timer started by the write would always take the whole interval.
    const untilTick = interval === 0 ? 0 : interval - ((Date.now() - this.refreshAnchorMs) % interval);
    const t = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, untilTick + this.host.refreshDelayMs);
    t.unref();
    this.timer = t;
  }

  private pruneTombstones(): void {
    if (this.tombstones.size < 1024) return;
    const now = this.host.now();
    // Oldest first (a delete re-inserts its id), so stop at the first one still kept: every
    // refresh used to walk all of them, tens of thousands after a retention sweep.
    for (const [id, t] of this.tombstones) {
      if (now - t.at <= gcDeletesMs) break;
      this.tombstones.delete(id);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ready = this.waiters;
    this.waiters = [];
    for (const w of ready) w.resolve();
  }
}
