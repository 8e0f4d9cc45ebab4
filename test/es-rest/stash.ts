/**
 * The runner's stash: values saved by `set` and substituted into later requests and
 * expectations as `$name` (whole value), `${name}` (inside a string), in keys and in path
 * segments. `$body` is the last response body.
 */
export class Stash {
  private readonly values = new Map<string, unknown>();
  private body: unknown;

  set(name: string, value: unknown): void {
    this.values.set(name, value);
  }

  setBody(body: unknown): void {
    this.body = body;
  }

  clear(): void {
    this.values.clear();
    this.body = undefined;
  }

  /** Value of `$name` / `${name}`; throws when unknown so the test fails with the name. */
  get(name: string): unknown {
    if (name === 'body') return this.body;
    if (!this.values.has(name)) throw new Error(`stash has no value for [$${name}]`);
    return this.values.get(name);
  }

  /** Replace stash references anywhere in a YAML value (strings, keys, nested values). */
  replace(value: unknown): unknown {
    if (typeof value === 'string') return this.replaceString(value);
    if (Array.isArray(value)) return value.map((v) => this.replace(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const key = this.replaceString(k);
        out[typeof key === 'string' ? key : JSON.stringify(key)] = this.replace(v);
      }
      return out;
    }
    return value;
  }

  /** `$name` alone becomes the stashed value (any type); `${name}` inside text is interpolated. */
  replaceString(text: string): unknown {
    const whole = /^\$\{?([A-Za-z_][\w.]*)\}?$/.exec(text);
    if (whole?.[1] !== undefined && (text.startsWith('${') === text.endsWith('}'))) {
      return this.get(whole[1]);
    }
    if (!text.includes('${')) return text;
    return text.replace(/\$\{([A-Za-z_][\w.]*)\}/g, (_m, name: string) => {
      const v = this.get(name);
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }

  /** A path segment `$name` resolves to the stashed value as text. */
  resolveSegment(segment: string): string {
    if (!segment.startsWith('$')) return segment;
    const v = this.replaceString(segment);
    return typeof v === 'string' ? v : String(v);
  }
}
