/**
 * Reads one YAML test file into setup, teardown and test sections. A file is a stream of YAML
 * documents, each a one-key map: `setup`, `teardown` or a test name, with a list of steps.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

/** One step: its single key (`do`, `match`, `skip`, …) and the value under it. */
export interface Step {
  readonly kind: string;
  readonly value: unknown;
}

export interface TestCase {
  readonly name: string;
  readonly steps: readonly Step[];
}

export interface Suite {
  /** Path relative to the corpus root, for reports (`index/10_with_id.yml`). */
  readonly file: string;
  readonly setup: readonly Step[];
  readonly teardown: readonly Step[];
  readonly tests: readonly TestCase[];
}

export class SuiteParseError extends Error {
  override readonly name = 'SuiteParseError';
}

export async function loadSuite(absPath: string, relPath: string): Promise<Suite> {
  return parseSuite(await readFile(absPath, 'utf8'), relPath);
}

export function parseSuite(text: string, file: string): Suite {
  let setup: Step[] = [];
  let teardown: Step[] = [];
  const tests: TestCase[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new SuiteParseError(`${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const value: unknown = doc.toJS({ maxAliasCount: -1 });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new SuiteParseError(`${file}: expected a map of sections, got ${typeof value}`);
    }
    for (const [name, section] of Object.entries(value)) {
      const steps = parseSteps(section, `${file} [${name}]`);
      if (name === 'setup') setup = steps;
      else if (name === 'teardown') teardown = steps;
      else tests.push({ name, steps });
    }
  }
  return { file, setup, teardown, tests };
}

function parseSteps(section: unknown, where: string): Step[] {
  if (section === null || section === undefined) return [];
  if (!Array.isArray(section)) throw new SuiteParseError(`${where}: expected a list of steps`);
  return section.map((item: unknown, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new SuiteParseError(`${where}: step ${i} is not a map`);
    }
    const entries = Object.entries(item);
    const first = entries[0];
    if (entries.length !== 1 || first === undefined) {
      throw new SuiteParseError(`${where}: step ${i} must have exactly one key, has [${Object.keys(item).join(', ')}]`);
    }
    return { kind: first[0], value: first[1] };
  });
}
