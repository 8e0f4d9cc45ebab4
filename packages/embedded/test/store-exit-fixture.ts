/**
 * Child process of store-lifecycle.test.ts: leaves the engine in its busiest resting state
 * (armed refresh timers, a pending `refresh=wait_for`, an HTTP server with a keep-alive client
 * connection), closes everything, and reports how long the process lived after close returned.
 * node:http rather than the official client: the client itself (undici) holds a process ~0.8 s
 * after its close() even against a trivial node:http server, which is not the engine's doing.
 */
import { Agent, request } from 'node:http';
import { Engine } from '../src/engine.js';
import { startEngine } from '../src/io/start-engine.js';

const engine = new Engine();
const body = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
await engine.handle({ method: 'PUT', path: '/slow', query: {}, headers: {}, body: body({ settings: { refresh_interval: '30s' } }) });
await engine.handle({ method: 'PUT', path: '/slow/_doc/1', query: {}, headers: {}, body: body({ a: 1 }) });
const waiting = engine.handle({ method: 'PUT', path: '/slow/_doc/2', query: { refresh: 'wait_for' }, headers: {}, body: body({ a: 2 }) });

const started = await startEngine({ port: 0 });
const agent = new Agent({ keepAlive: true });
const send = (method: string, path: string, json?: unknown): Promise<number> =>
  new Promise((resolve, reject) => {
    const r = request(`${started.url}${path}`, { method, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(json === undefined ? undefined : JSON.stringify(json));
  });
await send('PUT', '/http', { settings: { refresh_interval: '30s' } });
await send('PUT', '/http/_doc/1', { a: 1 });

await engine.close();
const released = await waiting;
await started.close();
const closedAt = performance.now();
process.on('exit', () => {
  process.stdout.write(`${JSON.stringify({ waitForStatus: released.status, exitAfterCloseMs: performance.now() - closedAt })}\n`);
});
