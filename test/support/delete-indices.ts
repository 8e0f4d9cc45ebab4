import type { Client } from '@elastic/elasticsearch';

/** Names per DELETE request, so the URL stays well under HTTP line limits. */
const batchSize = 50;

/**
 * Delete every index matching `pattern` (e.g. `myprefix-*`), hidden ones included. Elasticsearch 8
 * refuses wildcard deletes by default (`action.destructive_requires_name`), so the names are listed
 * first and deleted by name. Returns the names deleted.
 */
export async function deleteIndicesMatching(client: Pick<Client, 'indices'>, pattern: string): Promise<string[]> {
  const found = await client.indices.get({ index: pattern, expand_wildcards: 'all', allow_no_indices: true, ignore_unavailable: true, features: ['settings'] });
  const names = Object.keys(found).sort();
  for (let i = 0; i < names.length; i += batchSize) {
    await client.indices.delete({ index: names.slice(i, i + batchSize), ignore_unavailable: true });
  }
  return names;
}
