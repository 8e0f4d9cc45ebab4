/**
 * An event as stored in `<prefix>-events`. Its id `<origin>:<seq>` is deterministic, so a
 * retried write cannot duplicate it and a reader can fetch a missing one by id (real-time).
 */
import { isEventName, type EventName } from './event-map.js';

export interface EventDoc {
  readonly eventId: string;
  /** Emitting transport (one per process and bus). */
  readonly origin: string;
  /** Per-origin sequence, from 1, without holes unless a write was given up. */
  readonly seq: number;
  readonly type: EventName;
  readonly at: number;
  readonly jobId?: string;
  readonly queue?: string;
  readonly workerId?: string;
  readonly resource?: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

const SEQ_DIGITS = 12;

/** Zero-padded so ids of one origin sort by sequence as strings too. */
export function eventId(origin: string, seq: number): string {
  return `${origin}:${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

export function isEventDoc(value: unknown): value is EventDoc {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.eventId === 'string' &&
    typeof v.origin === 'string' &&
    typeof v.seq === 'number' &&
    isEventName(v.type) &&
    typeof v.at === 'number' &&
    typeof v.payload === 'object' &&
    v.payload !== null
  );
}

/** Envelope fields copied out of the payload so they can be searched. */
export function envelopeOf(payload: Readonly<Record<string, unknown>>): Pick<EventDoc, 'jobId' | 'queue' | 'workerId' | 'resource'> {
  const pickString = (k: string): string | undefined => (typeof payload[k] === 'string' ? (payload[k] as string) : undefined);
  const out: { jobId?: string; queue?: string; workerId?: string; resource?: string } = {};
  const jobId = pickString('jobId');
  const queue = pickString('queue');
  const workerId = pickString('workerId');
  const resource = pickString('resource');
  if (jobId !== undefined) out.jobId = jobId;
  if (queue !== undefined) out.queue = queue;
  if (workerId !== undefined) out.workerId = workerId;
  if (resource !== undefined) out.resource = resource;
  return out;
}
