import type { EngineResponse } from '../contracts.js';
import { esError } from '../errors.js';
import type { Ctx } from './context.js';
import { ok } from './context.js';
import type { ResolvedEngineOptions } from './options.js';

/** `GET /` and `_cluster/health` of the single-node cluster. */

const luceneVersion = '9.12.2';

export function infoBody(o: ResolvedEngineOptions, clusterUuid: string): Record<string, unknown> {
  return {
    name: o.nodeName,
    cluster_name: o.clusterName,
    cluster_uuid: clusterUuid,
    version: {
      number: o.version,
      build_flavor: 'default',
      build_type: 'tar',
      build_hash: '0000000000000000000000000000000000000000',
      build_date: '2025-01-01T00:00:00.000Z',
      build_snapshot: false,
      lucene_version: luceneVersion,
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

export function handleInfo(ctx: Ctx, o: ResolvedEngineOptions, clusterUuid: string): EngineResponse {
  ctx.params.done();
  return ok(infoBody(o, clusterUuid));
}

const statuses = ['green', 'yellow', 'red'];

export function handleHealth(ctx: Ctx, parts: Readonly<Record<string, string>>, o: ResolvedEngineOptions): EngineResponse {
  const p = ctx.params;
  p.accept('timeout', 'master_timeout', 'wait_for_events', 'wait_for_no_relocating_shards', 'wait_for_no_initializing_shards', 'local', 'expand_wildcards', 'return_200_for_cluster_health_timeout');
  const waitNodes = p.str('wait_for_nodes');
  const waitShards = p.str('wait_for_active_shards');
  const wfs = p.str('wait_for_status');
  if (wfs !== undefined && !statuses.includes(wfs)) throw esError(400, 'illegal_argument_exception', `unknown cluster health status [${wfs}]`);
  const level = p.str('level') ?? 'cluster';
  if (!['cluster', 'indices', 'shards'].includes(level)) throw esError(400, 'illegal_argument_exception', `level must be one of [cluster, indices, shards] but was [${level}]`);
  p.done();
  const indices = parts['index'] === undefined ? ctx.store.resolveStates(undefined) : ctx.store.resolveStates(parts['index'], { ignoreUnavailable: true });
  // one node with one shard per index: waits for more can only time out
  const nodesWanted = waitNodes === undefined ? 1 : Number(/\d+/.exec(waitNodes)?.[0] ?? '1');
  const shardsWanted = waitShards === undefined || waitShards === 'all' ? 0 : Number(waitShards);
  const timedOut = nodesWanted > 1 || shardsWanted > indices.length;
  const body: Record<string, unknown> = {
    cluster_name: o.clusterName,
    status: 'green',
    timed_out: timedOut,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
    active_primary_shards: indices.length,
    active_shards: indices.length,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: 0,
    unassigned_primary_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100.0,
  };
  if (level !== 'cluster') {
    body['indices'] = Object.fromEntries(
      indices.map((i) => [
        i.name,
        {
          status: 'green',
          number_of_shards: 1,
          number_of_replicas: Number(i.settings['index.number_of_replicas'] ?? '1'),
          active_primary_shards: 1,
          active_shards: 1,
          relocating_shards: 0,
          initializing_shards: 0,
          unassigned_shards: 0,
          unassigned_primary_shards: 0,
          ...(level === 'shards' ? { shards: { '0': { status: 'green', primary_active: true, active_shards: 1, relocating_shards: 0, initializing_shards: 0, unassigned_shards: 0, unassigned_primary_shards: 0 } } } : {}),
        },
      ]),
    );
  }
  return ok(body, timedOut ? 408 : 200);
}

/** `GET /_capabilities`: the few capability names the engine can vouch for. */
const capabilities: Record<string, readonly string[]> = {
  'GET /_cluster/health': ['unassigned_pri_shard_count'],
  'PUT /{index}': ['poorly_formatted_bad_request'],
};

export function handleCapabilities(ctx: Ctx): EngineResponse {
  const p = ctx.params;
  const method = p.str('method') ?? 'GET';
  const path = p.str('path') ?? '/';
  const params = p.list('parameters') ?? [];
  const wanted = p.list('capabilities') ?? [];
  p.accept('local_only', 'timeout');
  p.done();
  const known = capabilities[`${method.toUpperCase()} ${path}`];
  const supported = known !== undefined && params.length === 0 && wanted.every((c) => known.includes(c));
  return ok({ supported });
}
