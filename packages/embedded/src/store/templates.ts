import { esError } from '../errors.js';
import { Mapping } from './mapping.js';
import { isObject } from './request.js';
import { flattenSettings } from './settings.js';
import type { FlatSettings } from './settings.js';
import { illegalArgument, validationFailed } from './store-errors.js';
import { wildcardMatch } from './names.js';

/** A composable index template (`_index_template`), applied when a matching index is created. */
export interface IndexTemplate {
  readonly name: string;
  readonly patterns: readonly string[];
  readonly priority: number;
  readonly body: Record<string, unknown>;
  readonly mappings: unknown;
  readonly settings: FlatSettings;
}

const templateFields = new Set(['index_patterns', 'template', 'priority', 'version', '_meta', 'composed_of', 'data_stream', 'allow_auto_create', 'ignore_missing_component_templates', 'deprecated']);

export function parseTemplate(name: string, body: unknown): IndexTemplate {
  if (!isObject(body)) throw validationFailed(['index patterns are missing']);
  for (const k of Object.keys(body)) {
    if (!templateFields.has(k)) throw esError(400, 'x_content_parse_exception', `[1:2] [index_template] unknown field [${k}]`);
  }
  const raw = body['index_patterns'];
  const patterns = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.map(String) : [];
  if (patterns.length === 0) throw validationFailed(['index patterns are missing']);
  if (body['data_stream'] !== undefined) throw illegalArgument('data streams are not supported by the embedded engine');
  const composed = body['composed_of'];
  if (Array.isArray(composed) && composed.length) throw illegalArgument(`index template [${name}] specifies component templates ${JSON.stringify(composed)} that do not exist`);
  const tpl = isObject(body['template']) ? body['template'] : {};
  if (tpl['aliases'] !== undefined && isObject(tpl['aliases']) && Object.keys(tpl['aliases']).length) {
    throw illegalArgument('aliases are not supported by the embedded engine');
  }
  const mappings = tpl['mappings'];
  if (mappings !== undefined) Mapping.parse(mappings);
  const priority = typeof body['priority'] === 'number' ? body['priority'] : 0;
  return { name, patterns, priority, body, mappings, settings: flattenSettings(tpl['settings']) };
}

/** The highest-priority template whose patterns match, as Elasticsearch picks one. */
export function findTemplate(templates: Iterable<IndexTemplate>, index: string): IndexTemplate | undefined {
  let best: IndexTemplate | undefined;
  for (const t of templates) {
    if (!t.patterns.some((p) => wildcardMatch(p, index))) continue;
    if (!best || t.priority > best.priority) best = t;
  }
  return best;
}
