import { Buffer } from 'node:buffer';
import { crc32 } from 'node:zlib';

/*
 * Record framing for journal and snapshot files: [u32 length][u32 crc32 of payload][payload].
 * The checksum makes a torn or overwritten tail detectable instead of replaying garbage.
 */

export const FRAME_HEADER_BYTES = 8;

/** Refuse absurd lengths (a corrupt header) instead of allocating them. */
const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

export function encodeFrame(value: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export interface DecodedFrames {
  readonly values: unknown[];
  /** Bytes of whole, valid frames from the start; everything after is torn or corrupt. */
  readonly validBytes: number;
}

/** Decodes frames until the end or the first bad one (short, bad checksum, bad JSON). */
export function decodeFrames(data: Buffer): DecodedFrames {
  const values: unknown[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (length > MAX_FRAME_BYTES || end > data.length) break;
    const payload = data.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    try {
      values.push(JSON.parse(payload.toString('utf8')));
    } catch {
      break;
    }
    offset = end;
  }
  return { values, validBytes: offset };
}
