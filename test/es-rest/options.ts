/**
 * Options of the YAML runner: defaults, `withDefaults()` and `validate()`.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** Repository root (this file is test/es-rest/options.ts). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface RunnerOptions {
  /**
   * Directories (or single files) whose `*.yml`/`*.yaml` tests run.
   * @defaultValue `[corpusDirDefault]`
   */
  readonly dirs: readonly string[];
  /**
   * Folder of the JSON API specs.
   * @defaultValue `<corpus>/api`
   */
  readonly specsDir: string;
  /**
   * Run only tests whose `file` or name contains this text (case-insensitive).
   * @defaultValue `undefined` (all tests)
   */
  readonly filter?: string | undefined;
  /**
   * Target URL; when absent a fresh embedded engine is started on 127.0.0.1, port 0.
   * @defaultValue `undefined`
   */
  readonly url?: string | undefined;
  /**
   * Timeout of one HTTP request, in milliseconds.
   * @defaultValue `requestTimeoutMsDefault` (10 s)
   */
  readonly requestTimeoutMs: number;
  /**
   * Named cluster features the target claims (besides historical `gte_vX.Y.Z` ones).
   * @defaultValue `engineClusterFeaturesDefault`
   */
  readonly clusterFeatures: readonly string[];
}

export const corpusDirDefault = resolve(repoRoot, '../shared/es-rest-tests');
export const requestTimeoutMsDefault = 10_000;
/**
 * Named cluster features the embedded engine implements. Features gate tests in Elasticsearch's
 * own runner; claiming one the engine lacks would turn a correct skip into a failure, and
 * leaving out one it has would hide tests. Add a name here when the engine implements it.
 */
export const engineClusterFeaturesDefault: readonly string[] = [
  // mapping errors name unknown field types the 8.x way (mapper_parsing_exception, issue 2)
  'mapper.unknown_field_mapping_update_error_message',
  // sort on dates with `format` renders missing values as null (sort is in scope)
  'search.sort.date_format_missing_as_null',
  // integer/short/byte fields sort as int (sort on numeric fields is in scope)
  'search.sort.int_sort_for_int_short_byte_fields',
];

export function withDefaults(partial: Partial<RunnerOptions> = {}): RunnerOptions {
  const dirs = partial.dirs !== undefined && partial.dirs.length > 0 ? partial.dirs : [corpusDirDefault];
  return {
    dirs,
    specsDir: partial.specsDir ?? resolve(corpusDirDefault, 'api'),
    filter: partial.filter,
    url: partial.url,
    requestTimeoutMs: partial.requestTimeoutMs ?? requestTimeoutMsDefault,
    clusterFeatures: partial.clusterFeatures ?? engineClusterFeaturesDefault,
  };
}

export function validate(options: RunnerOptions): RunnerOptions {
  if (options.dirs.length === 0) throw new RangeError('dirs: at least one directory is required, got []');
  for (const d of options.dirs) {
    if (typeof d !== 'string' || d === '') throw new TypeError(`dirs: expected non-empty paths, got ${JSON.stringify(d)}`);
  }
  if (!Number.isInteger(options.requestTimeoutMs) || options.requestTimeoutMs <= 0) {
    throw new RangeError(`requestTimeoutMs: expected a positive integer, got ${String(options.requestTimeoutMs)}`);
  }
  if (options.url !== undefined && !/^https?:\/\//.test(options.url)) {
    throw new TypeError(`url: expected an http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  return options;
}
