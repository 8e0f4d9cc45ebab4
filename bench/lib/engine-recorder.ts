/**
 * Loaded into the benchmark's engine process (`--import`) when ESJOBS_BENCH_ENGINE_RECORD names a
 * file: every request the engine handles is appended to it, for `bench/engine-replay.ts`. Frames:
 * two little-endian u32 lengths (header, body), a JSON header (arrival time, method, path, query,
 * content type, accept) and the raw body. Written synchronously so nothing is lost when the
 * process is stopped; the run is slower for it, so recorded runs are not measured runs.
 */
import { openSync, writeSync } from 'node:fs';
import { Engine } from '@esjobs/embedded';

const file = process.env['ESJOBS_BENCH_ENGINE_RECORD'];
if (file !== undefined && file !== '') {
  const fd = openSync(file, 'w');
  const handle = Engine.prototype.handle;
  Engine.prototype.handle = function recorded(this: Engine, req) {
    const head = Buffer.from(
      JSON.stringify({ t: Date.now(), method: req.method, path: req.path, query: req.query, ct: req.headers['content-type'], accept: req.headers['accept'] }),
    );
    const body = req.body ?? Buffer.alloc(0);
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32LE(head.length, 0);
    lengths.writeUInt32LE(body.length, 4);
    writeSync(fd, lengths);
    writeSync(fd, head);
    if (body.length > 0) writeSync(fd, body);
    return handle.call(this, req);
  };
}
