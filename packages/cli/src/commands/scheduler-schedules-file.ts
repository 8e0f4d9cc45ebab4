/**
 * Loads `--schedules FILE`: a JSON array of the objects `schedule()` takes (.json), or a module
 * (.js/.mjs, or .ts/.mts through tsx) whose default export or `schedules` export is such an array.
 * Each entry is validated before anything is written; errors name the entry and the field.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '@esjobs/core';
import { type ScheduleDefinition, validateSchedule } from '@esjobs/scheduler';

async function importModule(file: string): Promise<Record<string, unknown>> {
  const ext = extname(file);
  if ((ext === '.ts' || ext === '.mts' || ext === '.cts') && !process.execArgv.some((a) => a.includes('tsx'))) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

export async function loadSchedulesFile(path: string, cwd: string, maxPayloadBytes: number): Promise<ScheduleDefinition[]> {
  const file = resolve(cwd, path);
  let list: unknown;
  if (extname(file) === '.json') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ValidationError('--schedules', path, `cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      list = JSON.parse(text) as unknown;
    } catch (err) {
      throw new ValidationError('--schedules', path, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(file);
    } catch (err) {
      throw new ValidationError('--schedules', path, `cannot load the module: ${err instanceof Error ? err.message : String(err)}`);
    }
    const def = mod['default'];
    list = mod['schedules'] ?? (typeof def === 'object' && def !== null && 'schedules' in def ? (def as Record<string, unknown>)['schedules'] : def);
  }
  if (!Array.isArray(list)) throw new ValidationError('--schedules', path, 'must hold an array of schedules (JSON array, or a module exporting `schedules` or a default array)');
  const names = new Set<string>();
  list.forEach((entry, i) => {
    const s = validateSchedule(entry, maxPayloadBytes, `--schedules[${i}]`);
    if (names.has(s.name)) throw new ValidationError(`--schedules[${i}].name`, s.name, 'appears twice in the file');
    names.add(s.name);
  });
  return list as ScheduleDefinition[];
}
