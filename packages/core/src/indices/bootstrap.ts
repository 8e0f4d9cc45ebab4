/**
 * Create every esjobs index and template, idempotently, and check that what exists fits.
 *
 * Safe when many processes start at once: each one tries to create; `resource_already_exists`
 * means another won, which is fine. Then every index's actual mapping is compared with the needed
 * one: missing fields are added with a put-mapping (an additive change, same result whoever runs
 * it), anything incompatible is reported as one MappingError naming the index and each field.
 *
 * Inputs: a BackendContext. Requests: indices.create per index, indices.getMapping per index,
 * indices.putMapping when fields are missing, getIndexTemplate / putIndexTemplate for the
 * dead-letter template, getMapping over existing dead-letter indices. Outcome: a summary of what
 * was created, updated or already there.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { BackendContext } from '../backend/context.js';
import { ElasticsearchError, MappingError, NotFoundError } from '../errors.js';
import { diffMappings, type MappingDifference } from './mapping-diff.js';
import { indexDefinitions, templateDefinitions, type IndexDefinition, type IndexMappings, type TemplateDefinition } from './registry.js';

export interface BootstrapOptions {
  /** Indices to set up. @defaultValue every index in the registry */
  readonly indices?: readonly IndexDefinition[];
  /** Templates to set up. @defaultValue every template in the registry */
  readonly templates?: readonly TemplateDefinition[];
}

export interface BootstrapResult {
  /** Indices this call created. */
  readonly created: readonly string[];
  /** Indices that already existed with a compatible mapping. */
  readonly existing: readonly string[];
  /** Existing indices (or templates) this call added missing fields to. */
  readonly updated: readonly string[];
  /** Templates this call wrote. */
  readonly templates: readonly string[];
}

interface Incompatible {
  readonly index: string;
  readonly differences: readonly MappingDifference[];
}

function isAlreadyExists(err: unknown): boolean {
  return err instanceof ElasticsearchError && (err.esType === 'resource_already_exists_exception' || /resource_already_exists_exception/u.test(err.message));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Plain mutable copies in the client's types (the registry holds readonly `as const` objects).
function esMappings(m: IndexMappings): estypes.MappingTypeMapping {
  return JSON.parse(JSON.stringify(m)) as estypes.MappingTypeMapping;
}

function esSettings(s: Readonly<Record<string, unknown>>): estypes.IndicesIndexSettings {
  return JSON.parse(JSON.stringify(s)) as estypes.IndicesIndexSettings;
}

async function ensureIndex(ctx: BackendContext, def: IndexDefinition, result: { created: string[]; existing: string[]; updated: string[] }, bad: Incompatible[]): Promise<void> {
  const index = def.index(ctx.names);
  try {
    await ctx.request('bootstrap.create', () =>
      ctx.client.indices.create({ index, mappings: esMappings(def.mappings), settings: esSettings(def.settings) }),
    );
    result.created.push(index);
    return;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const response = await ctx.request('bootstrap.getMapping', () => ctx.client.indices.getMapping({ index }));
  const entry = (response as Record<string, unknown>)[index];
  const actual = isRecord(entry) ? entry.mappings : undefined;
  if (await reconcile(ctx, index, def.mappings, actual, bad)) result.updated.push(index);
  else result.existing.push(index);
}

/** Returns true when missing fields were added; records incompatibilities in `bad`. */
async function reconcile(ctx: BackendContext, index: string, expected: IndexMappings, actual: unknown, bad: Incompatible[]): Promise<boolean> {
  const differences = diffMappings(expected, actual);
  if (differences.length === 0) return false;
  if (differences.some((d) => d.kind === 'conflict')) {
    bad.push({ index, differences: differences.filter((d) => d.kind === 'conflict') });
    return false;
  }
  // Only additions: put the whole needed mapping; Elasticsearch merges it, same result for every racer.
  const m = esMappings(expected);
  await ctx.request('bootstrap.putMapping', () => ctx.client.indices.putMapping({ index, dynamic: m.dynamic, properties: m.properties }));
  return true;
}

async function ensureTemplate(ctx: BackendContext, def: TemplateDefinition, result: { templates: string[]; updated: string[] }, bad: Incompatible[]): Promise<void> {
  const name = def.name(ctx.names);
  const pattern = def.pattern(ctx.names);
  let current: unknown;
  try {
    const got = await ctx.request('bootstrap.getTemplate', () => ctx.client.indices.getIndexTemplate({ name }));
    const found = (got as { index_templates?: { name: string; index_template: unknown }[] }).index_templates?.find((t) => t.name === name);
    current = found?.index_template;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const tpl = isRecord(current) && isRecord(current.template) ? current.template : undefined;
  const patterns = isRecord(current) && Array.isArray(current.index_patterns) ? current.index_patterns : [];
  const upToDate =
    tpl !== undefined && patterns.length === 1 && patterns[0] === pattern && diffMappings(def.mappings, tpl.mappings).length === 0;
  if (!upToDate) {
    await ctx.request('bootstrap.putTemplate', () =>
      ctx.client.indices.putIndexTemplate({
        name,
        index_patterns: [pattern],
        priority: def.priority,
        template: { mappings: esMappings(def.mappings), settings: esSettings(def.settings) },
        _meta: { managed_by: 'esjobs' },
      }),
    );
    result.templates.push(name);
  }
  // Indices created from an older template must fit too.
  const existing = await ctx.request('bootstrap.getMapping', () =>
    ctx.client.indices.getMapping({ index: pattern, allow_no_indices: true, expand_wildcards: 'open' }),
  );
  for (const [index, entry] of Object.entries(existing as Record<string, unknown>)) {
    if (await reconcile(ctx, index, def.mappings, isRecord(entry) ? entry.mappings : undefined, bad)) result.updated.push(index);
  }
}

function incompatibleError(bad: readonly Incompatible[]): MappingError {
  const lines = bad.map((b) => `index [${b.index}]: ${b.differences.map((d) => d.description).join('; ')}`);
  const first = bad[0];
  return new MappingError(
    `incompatible existing mapping — ${lines.join(' | ')}. Delete or reindex the index, or use another prefix.`,
    { index: first?.index, fields: bad.flatMap((b) => b.differences.map((d) => d.path)) },
  );
}

/**
 * Create what is missing and verify what exists. Idempotent; run it at every start. Throws a
 * MappingError (naming index and fields) when an existing index cannot be used.
 */
export async function bootstrap(ctx: BackendContext, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const result = { created: [] as string[], existing: [] as string[], updated: [] as string[], templates: [] as string[] };
  const bad: Incompatible[] = [];
  await Promise.all((options.indices ?? indexDefinitions).map((def) => ensureIndex(ctx, def, result, bad)));
  for (const def of options.templates ?? templateDefinitions) await ensureTemplate(ctx, def, result, bad);
  if (bad.length > 0) throw incompatibleError(bad);
  return result;
}

/**
 * Delete every index and template of the context's prefix (tests, `esjobs admin reset`). Names
 * are listed explicitly: Elasticsearch refuses wildcard deletes by default
 * (`action.destructive_requires_name`). Returns the deleted index names.
 */
export async function teardown(ctx: BackendContext, options: BootstrapOptions = {}): Promise<string[]> {
  const defs = options.indices ?? indexDefinitions;
  const templates = options.templates ?? templateDefinitions;
  const names = defs.map((d) => d.index(ctx.names));
  for (const t of templates) {
    const found = await ctx.request('teardown.getMapping', () =>
      ctx.client.indices.getMapping({ index: t.pattern(ctx.names), allow_no_indices: true, expand_wildcards: 'open' }),
    );
    names.push(...Object.keys(found as Record<string, unknown>));
  }
  const deleted: string[] = [];
  for (const index of names) {
    try {
      await ctx.request('teardown.delete', () => ctx.client.indices.delete({ index }));
      deleted.push(index);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  for (const t of templates) {
    try {
      await ctx.request('teardown.deleteTemplate', () => ctx.client.indices.deleteIndexTemplate({ name: t.name(ctx.names) }));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return deleted;
}
