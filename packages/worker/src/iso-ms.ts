/** Epoch ms of an ISO-8601 time from a job document; undefined when absent or unparsable. */
export function isoMs(iso: string | null | undefined): number | undefined {
  if (iso === null || iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}
