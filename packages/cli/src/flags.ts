import type { FlagSpec, FlagValues } from './command.js';
import { UsageError } from './command.js';

/** Flags whose variable is not `ESJOBS_<NAME>`, the same for every command. */
const envOverrides: Readonly<Record<string, string>> = { es: 'ESJOBS_ES_URL' };

/** The environment variable of a flag: the spec's own `env`, else `ESJOBS_<NAME>`. */
export function envName(flag: string | Pick<FlagSpec, 'name' | 'env'>): string {
  const spec = typeof flag === 'string' ? { name: flag } : flag;
  return ('env' in spec && spec.env) || envOverrides[spec.name] || `ESJOBS_${spec.name.toUpperCase().replace(/-/g, '_')}`;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/**
 * Parses `--name value`, `--name=value`, `--flag`, `--no-flag`; flags not on the command line
 * come from `ESJOBS_<NAME>` environment variables. Unknown flags are usage errors.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], env: Readonly<Record<string, string | undefined>>): { flags: FlagValues; args: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, string | boolean | string[]> = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      args.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    let name = a.slice(2, eq < 0 ? undefined : eq);
    let negated = false;
    if (!byName.has(name) && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (spec.type === 'boolean') {
      if (eq >= 0) values[name] = parseBool(a.slice(eq + 1), `--${name}`);
      else values[name] = !negated;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = a.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} expects a value${spec.valueName ? ` (${spec.valueName})` : ''}`);
      i++;
    }
    if (spec.multiple) {
      const prev = values[name];
      values[name] = Array.isArray(prev) ? [...prev, value] : [value];
    } else {
      values[name] = value;
    }
  }
  for (const spec of specs) {
    if (values[spec.name] !== undefined) continue;
    const fromEnv = env[envName(spec)];
    // An empty variable is unset for value flags (`ESJOBS_ES_URL= esjobs …` clears it).
    if (fromEnv === undefined || (spec.type === 'string' && fromEnv === '')) continue;
    if (spec.type === 'boolean') values[spec.name] = parseBool(fromEnv, envName(spec));
    else values[spec.name] = spec.multiple ? fromEnv.split(',').filter(Boolean) : fromEnv;
  }
  return { flags: values, args };
}

function parseBool(raw: string, where: string): boolean {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new UsageError(`${where} must be true or false, got "${raw}"`);
}
