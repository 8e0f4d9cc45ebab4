/*
 * Replays a recorded engine request stream into fresh in-process engines: the engine's own cost
 * for a real workload, without the HTTP layer, the clients or other processes competing for the
 * cores, and a digest of every _bulk, _search and _mget answer, so a change to the engine can be
 * shown to answer byte for byte the same.
 *
 *   ESJOBS_BENCH_ENGINE_RECORD=/tmp/rec.bin pnpm bench --targets http --no-engine --cases processing --processing 4x50
 *   node --expose-gc --conditions=@esjobs/source --import tsx bench/engine-replay.ts /tmp/rec.bin [--reps 6]
 *     [--baseline <another packages/embedded/src, e.g. of a git worktree>] [--src <engine src instead of this tree's>]
 *     [--until backlog]
 *
 * The engine's clock is the recorded arrival time and indices refresh at every recorded whole
 * second (the engine's default interval), so every replay sees the same states. The measured
 * part is the processing case's backlog: from the last queue resume to the bench's final read of
 * the jobs (the whole recording when those are not in it). With --baseline, reps alternate
 * between the two engines. CPU time on a shared VM moves by ±15 % from rep to rep; for a
 * deterministic figure, count instructions under callgrind with V8 single-threaded, once with
 * `--until backlog` and once without, and take the difference (see bench/README.md).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Engine, EngineOptions, EngineRequest, EngineResponse } from '@esjobs/embedded';

interface Frame {
  readonly t: number;
  readonly req: EngineRequest;
}

interface EngineLike {
  handle(req: EngineRequest): Promise<EngineResponse>;
  close(): Promise<void>;
}

interface Variant {
  readonly name: string;
  readonly create: (clock: () => number) => EngineLike;
  readonly render: (req: EngineRequest, res: EngineResponse) => { drop: true } | { drop: false; status: number; body: string };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function readFrames(file: string): Frame[] {
  const data = readFileSync(file);
  const frames: Frame[] = [];
  for (let o = 0; o < data.length; ) {
    const headLength = data.readUInt32LE(o);
    const bodyLength = data.readUInt32LE(o + 4);
    o += 8;
    const h = JSON.parse(data.subarray(o, o + headLength).toString()) as {
      t: number;
      method: EngineRequest['method'];
      path: string;
      query: Record<string, string>;
      ct?: string;
      accept?: string;
    };
    o += headLength;
    const body = bodyLength > 0 ? Buffer.from(data.subarray(o, o + bodyLength)) : undefined;
    o += bodyLength;
    // nothing refreshes on a timer here: a waiting write refreshes at once instead
    const query = h.query['refresh'] === 'wait_for' ? { ...h.query, refresh: 'true' } : h.query;
    const headers: Record<string, string> = {};
    if (h.ct !== undefined) headers['content-type'] = h.ct;
    if (h.accept !== undefined) headers['accept'] = h.accept;
    frames.push({ t: h.t, req: { method: h.method, path: h.path, query, body, headers } });
  }
  return frames;
}

async function variant(name: string, srcDir: string): Promise<Variant> {
  const engineModule = (await import(pathToFileURL(resolve(srcDir, 'index.ts')).href)) as { Engine: new (options: EngineOptions) => Engine };
  const respond = (await import(pathToFileURL(resolve(srcDir, 'io/respond.ts')).href)) as { render: Variant['render'] };
  return { name, create: (clock) => new engineModule.Engine({ clock, defaultRefreshIntervalMs: -1 }), render: respond.render };
}

const file = process.argv[2];
if (file === undefined || file.startsWith('--')) {
  console.error('usage: engine-replay.ts <recording> [--reps N] [--baseline <engine src dir>] [--src <engine src dir>] [--until backlog]');
  process.exit(2);
}
const frames = readFrames(file);
const resumes = frames.flatMap((f, i) => (f.req.method === 'PUT' && /\/_doc\//.test(f.req.path) && /-queues\//.test(f.req.path) ? [i] : []));
const start = resumes.at(-1) ?? 0;
const endCheck = frames.findIndex((f, i) => i > start && f.req.path.endsWith('/_search') && f.req.body?.includes('"_source":["startedAt"') === true);
const end = endCheck < 0 ? frames.length : endCheck;
const until = flag('--until') === 'backlog' ? start : end;
const reps = Number(flag('--reps') ?? 4);
const variants = [await variant(flag('--src') ?? 'this tree', flag('--src') ?? new URL('../packages/embedded/src/', import.meta.url).pathname)];
const baseline = flag('--baseline');
if (baseline !== undefined) variants.unshift(await variant('baseline', baseline));

async function replay(v: Variant, digest: boolean): Promise<{ cpuMs: number; digest: string }> {
  const first = frames[0]?.t ?? 0;
  let now = first;
  const engine = v.create(() => now);
  const hash = createHash('sha1');
  let nextRefresh = first + 1000;
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < until; i++) {
    const f = frames[i];
    if (f === undefined) break;
    if (i === start) cpu0 = process.cpuUsage();
    while (f.t >= nextRefresh) {
      now = nextRefresh;
      await engine.handle({ method: 'POST', path: '/_refresh', query: {}, headers: {} });
      nextRefresh += 1000;
    }
    now = f.t;
    const out = v.render(f.req, await engine.handle(f.req));
    if (out.drop) continue;
    // what the HTTP transport does with every answer
    Buffer.from(out.body);
    if (digest && /\/_(bulk|search|mget)$/.test(f.req.path)) {
      hash.update(String(out.status)).update(out.body.replace(/"took":\d+/, '').replace(/"index_uuid":"[^"]*"/g, ''));
    }
  }
  const used = process.cpuUsage(cpu0);
  await engine.close();
  (globalThis as { gc?: () => void }).gc?.();
  return { cpuMs: (used.user + used.system) / 1000, digest: hash.digest('hex').slice(0, 12) };
}

console.log(`${frames.length} requests; measured part: requests ${start}-${end} (${((frames[end - 1]?.t ?? 0) - (frames[start]?.t ?? 0)) / 1000} s recorded)${until === start ? '; stopping where it starts' : ''}`);
for (const v of variants) console.log(`${v.name}: answers digest ${(await replay(v, true)).digest}`);
const cpu = variants.map(() => [] as number[]);
for (let r = 0; r < reps; r++) {
  const order = r % 2 === 0 ? variants.map((_, k) => k) : variants.map((_, k) => variants.length - 1 - k);
  for (const k of order) {
    const v = variants[k];
    if (v !== undefined) cpu[k]?.push((await replay(v, false)).cpuMs);
  }
  console.log(`rep ${r}: ${variants.map((v, k) => `${v.name} ${Math.round(cpu[k]?.at(-1) ?? 0)} ms`).join(', ')}`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(`median CPU of the measured part: ${variants.map((v, k) => `${v.name} ${Math.round(median(cpu[k] ?? []))} ms`).join(', ')}`);
