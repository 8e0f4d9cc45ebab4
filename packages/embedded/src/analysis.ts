/**
 * The one analyzer the engine has: an approximation of Elasticsearch's `standard` analyzer
 * (Unicode letters/digits tokens, lower-cased). Used both when indexing text fields and when
 * analyzing `match` query text, so the two always agree.
 */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}_]+(?:['.][\p{L}\p{N}_]+)*/gu)) out.push(m[0]);
  return out;
}
