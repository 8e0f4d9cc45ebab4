import { existsSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { Client } from '@elastic/elasticsearch';

type ClientOptions = ConstructorParameters<typeof Client>[0];

/*
 * A real Elasticsearch for the suites, when one exists: `ESJOBS_TEST_ES_URL` (with
 * `ESJOBS_TEST_ES_API_KEY` or `ESJOBS_TEST_ES_USER`/`ESJOBS_TEST_ES_PASSWORD`), else a
 * testcontainers Elasticsearch when Docker answers. Otherwise the reason it is skipped.
 */

export type RealEs = { readonly available: true; readonly url: string; readonly clientOptions: ClientOptions; readonly source: string } | { readonly available: false; readonly reason: string };

let resolved: Promise<RealEs> | undefined;

export function realElasticsearch(): Promise<RealEs> {
  resolved ??= find();
  return resolved;
}

async function find(): Promise<RealEs> {
  const url = process.env.ESJOBS_TEST_ES_URL;
  if (url) {
    const apiKey = process.env.ESJOBS_TEST_ES_API_KEY;
    const username = process.env.ESJOBS_TEST_ES_USER;
    const password = process.env.ESJOBS_TEST_ES_PASSWORD;
    const auth = apiKey ? { apiKey } : username && password ? { username, password } : undefined;
    const clientOptions: ClientOptions = { node: url, ...(auth ? { auth } : {}), tls: { rejectUnauthorized: process.env.ESJOBS_TEST_ES_INSECURE !== '1' } };
    return { available: true, url, clientOptions, source: 'ESJOBS_TEST_ES_URL' };
  }
  if (process.env.ESJOBS_TEST_DOCKER === '0') return { available: false, reason: 'ESJOBS_TEST_ES_URL is not set and ESJOBS_TEST_DOCKER=0' };
  const docker = await dockerReachable();
  if (!docker) return { available: false, reason: 'ESJOBS_TEST_ES_URL is not set and Docker is not available (no reachable Docker socket) for testcontainers' };
  try {
    const tc = (await import('@testcontainers/elasticsearch')) as {
      ElasticsearchContainer: new (image: string) => { withStartupTimeout(ms: number): unknown; start(): Promise<{ getHttpUrl(): string; getUsername(): string; getPassword(): string }> };
    };
    const image = process.env.ESJOBS_TEST_ES_IMAGE ?? 'docker.elastic.co/elasticsearch/elasticsearch:8.19.0';
    const container = await new tc.ElasticsearchContainer(image).start();
    const clientOptions: ClientOptions = { node: container.getHttpUrl(), auth: { username: container.getUsername(), password: container.getPassword() } };
    return { available: true, url: container.getHttpUrl(), clientOptions, source: `testcontainers ${image}` };
  } catch (err) {
    return { available: false, reason: `Docker is reachable but the Elasticsearch container did not start: ${err instanceof Error ? err.message : String(err)}` };
  }
}

async function dockerReachable(): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  if (host && !host.startsWith('unix://')) return true;
  const socket = host ? host.slice('unix://'.length) : '/var/run/docker.sock';
  if (!existsSync(socket)) return false;
  try {
    await access(socket, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function realClient(es: Extract<RealEs, { available: true }>, extra: Omit<ClientOptions, 'node' | 'nodes'> = {}): Client {
  return new Client({ ...es.clientOptions, ...extra });
}
