/**
 * docs/configuration.md promises every option of every component with its default. Each of its
 * tables names the module it comes from; this checks the table against that module's interface,
 * so an option added, renamed or removed in code cannot silently go missing from the reference.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Section {
  readonly name: string;
  readonly file: string;
  readonly rows: readonly string[];
}

function sections(markdown: string): Section[] {
  const out: Section[] = [];
  const parts = markdown.split(/^### /m).slice(1);
  for (const part of parts) {
    const name = /^`(\w+)`/.exec(part)?.[1];
    const file = /^From `([^`]+)`\./m.exec(part)?.[1];
    if (name === undefined || file === undefined) continue;
    // The option table is the first one after "From"; sub-tables (#### …) follow it.
    const rows = (part.split(/^#### /m)[0] ?? '').split('\n').filter((l) => l.startsWith('| `'));
    out.push({ name, file, rows });
  }
  return out;
}

/** Names of the interface's own members (nested object types skipped). */
function members(source: string, name: string): string[] {
  const start = new RegExp(`export interface ${name}\\b[^{]*\\{`).exec(source);
  if (start === null) throw new Error(`interface ${name} not found`);
  const names: string[] = [];
  let depth = 1;
  let inComment = false;
  for (const line of source.slice(start.index + start[0].length).split('\n')) {
    const t = line.trim();
    if (inComment) {
      if (t.includes('*/')) inComment = false;
      continue;
    }
    if (t.startsWith('/**') || t.startsWith('/*')) {
      if (!t.includes('*/')) inComment = true;
      continue;
    }
    if (t.startsWith('//')) continue;
    if (depth === 1) {
      const m = /^(?:readonly\s+)?(\w+)\??\s*:/.exec(t);
      if (m?.[1] !== undefined) names.push(m[1]);
    }
    for (const ch of t) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    if (depth <= 0) break;
  }
  return names;
}

/** Each documented member's `@defaultValue` text (undefined: none given, i.e. required). */
function defaults(source: string, name: string): Map<string, string | undefined> {
  const start = source.indexOf(`export interface ${name}`);
  const body = source.slice(start, source.indexOf('\n}', start));
  const out = new Map<string, string | undefined>();
  for (const m of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*readonly (\w+)\??:/g)) {
    const [, comment = '', member = ''] = m;
    const value = /@defaultValue\s+([\s\S]*)/.exec(comment)?.[1];
    out.set(member, value?.replace(/\n\s*\*\s?/g, ' ').trim());
  }
  return out;
}

function cell(row: string, column: number): string | undefined {
  return row.split(/(?<!\\)\|/)[column]?.trim();
}

describe('docs/configuration.md', () => {
  const doc = readFileSync(`${root}docs/configuration.md`, 'utf8');
  const all = sections(doc);

  it('has option tables', () => {
    expect(all.length).to.be.greaterThan(15);
  });

  for (const s of all) {
    it(`${s.name} lists every option of ${s.file}, and only those`, () => {
      const source = readFileSync(`${root}${s.file}`, 'utf8');
      const expected = members(source, s.name);
      expect(expected, `no members parsed from ${s.name}`).to.not.be.empty;
      const documented = s.rows.map((r) => /^\| `(\w+)\??`/.exec(r)?.[1]).filter((n): n is string => n !== undefined);
      expect([...documented].sort()).to.deep.equal([...expected].sort());
      // A cell swallowing the next members' JSDoc (an earlier generator bug) shows as comment text.
      for (const r of s.rows) expect(r, r).to.not.match(/\/\*\*|@defaultValue/);
      for (const r of s.rows) expect(r.split(/(?<!\\)\|/).length, r).to.equal(6);
      // The default column is the code's @defaultValue, word for word ("required" when there is none).
      for (const [member, value] of defaults(source, s.name)) {
        const row = s.rows.find((r) => r.startsWith(`| \`${member}\``) || r.startsWith(`| \`${member}?\``));
        expect(row, member).to.not.equal(undefined);
        expect(cell(row ?? '', 3), `${s.name}.${member}`).to.equal(value ?? '**required**');
      }
    });
  }
});
