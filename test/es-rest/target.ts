/**
 * Where tests run: a fresh embedded engine over HTTP (default) or a given URL. Also the wipe
 * between tests (all indices and templates, as Elasticsearch's runner does) and what the target
 * reports about itself (version, capabilities).
 */
import { startEngine } from '@esjobs/embedded';
import type { RequestSender } from './http-client.js';
import { parseVersion } from './prerequisites.js';
import type { CapabilityCheck, ClusterInfo } from './prerequisites.js';

export interface Target {
  readonly url: string;
  close(): Promise<void>;
}

/** Start a fresh in-memory embedded engine on 127.0.0.1, port 0. */
export async function startEmbeddedTarget(): Promise<Target> {
  const engine = await startEngine({ host: '127.0.0.1', port: 0 });
  return { url: engine.url, close: () => engine.close() };
}

export function externalTarget(url: string): Target {
  return { url, close: async () => undefined };
}

/** Read the version from `GET /` and wire capability checks to `GET /_capabilities`. */
export async function clusterInfo(client: RequestSender, features: readonly string[]): Promise<ClusterInfo> {
  const res = await client.send({ method: 'GET', path: '/', headers: {} }).catch((err: unknown) => {
    throw new Error(`cannot reach the target: GET / failed: ${err instanceof Error ? err.message : String(err)}`);
  });
  const body = res.body as { version?: { number?: unknown } } | undefined;
  const number = body?.version?.number;
  if (res.status !== 200 || typeof number !== 'string') {
    throw new Error(`GET / did not report a version (status ${res.status}): ${res.text.slice(0, 200)}`);
  }
  return {
    version: parseVersion(number),
    features: new Set([...features, ...(await reportedFeatures(client))]),
    hasCapabilities: async (check: CapabilityCheck) => {
      const q = new URLSearchParams({ method: check.method, path: check.path });
      if (check.parameters !== undefined) q.set('parameters', check.parameters.join(','));
      if (check.capabilities !== undefined) q.set('capabilities', check.capabilities.join(','));
      const r = await client.send({ method: 'GET', path: `/_capabilities?${q.toString()}`, headers: {} });
      return r.status === 200 && (r.body as { supported?: unknown } | undefined)?.supported === true;
    },
  };
}

/**
 * Cluster features a real Elasticsearch (8.13+) reports in its cluster state, present on every
 * node, as Elasticsearch's runner reads them. Targets that do not report any get none.
 */
async function reportedFeatures(client: RequestSender): Promise<string[]> {
  const res = await client.send({ method: 'GET', path: '/_cluster/state?filter_path=nodes_features', headers: {} });
  const nodes = (res.body as { nodes_features?: unknown } | undefined)?.nodes_features;
  if (res.status !== 200 || !Array.isArray(nodes) || nodes.length === 0) return [];
  const perNode = nodes.map((n: unknown) => {
    const list = n !== null && typeof n === 'object' ? (n as { features?: unknown }).features : undefined;
    return new Set(Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : []);
  });
  const first = perNode[0] ?? new Set<string>();
  return [...first].filter((f) => perNode.every((set) => set.has(f)));
}

/**
 * Delete every index (names from `GET /_mapping`, which lists all of them, hidden ones included)
 * and every index template. Throws when indices remain, so a broken wipe never leaks state into
 * the next test unnoticed.
 */
export async function wipe(client: RequestSender): Promise<void> {
  const names = await indexNames(client);
  for (let i = 0; i < names.length; i += 50) {
    const batch = names.slice(i, i + 50).map(encodeURIComponent).join(',');
    const res = await client.send({ method: 'DELETE', path: `/${batch}?expand_wildcards=all`, headers: {} });
    if (res.status >= 400 && res.status !== 404) throw new Error(`DELETE /${batch}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  for (const path of ['/_index_template/*', '/_template/*', '/_component_template/*']) {
    // templates are optional in the engine: a 4xx here means there is nothing to delete
    await client.send({ method: 'DELETE', path, headers: {} });
  }
  const left = await indexNames(client);
  if (left.length > 0) throw new Error(`indices left after wipe: ${left.join(', ')}`);
}

async function indexNames(client: RequestSender): Promise<string[]> {
  const res = await client.send({ method: 'GET', path: '/_mapping?expand_wildcards=all', headers: {} });
  if (res.status !== 200 || res.body === null || typeof res.body !== 'object') {
    throw new Error(`GET /_mapping: ${res.status} ${res.text.slice(0, 200)}`);
  }
  return Object.keys(res.body);
}
