const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Parses Elasticsearch-style byte sizes (`100mb`, `512kb`, `1gb`, or a number of bytes). */
export function parseByteSize(value: string | number, field: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value > 0) return value;
    throw new RangeError(`${field} must be a positive integer number of bytes or a size like "100mb", got ${String(value)}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  const unit = UNITS[(m?.[2] ?? 'b').toLowerCase()];
  if (!m?.[1] || unit === undefined) throw new RangeError(`${field} must be a size like "100mb", "512kb" or a number of bytes, got "${value}"`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes <= 0) throw new RangeError(`${field} must be greater than 0, got "${value}"`);
  return bytes;
}

export function formatByteSize(bytes: number): string {
  for (const unit of ['gb', 'mb', 'kb'] as const) {
    const size = UNITS[unit] ?? 1;
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}
