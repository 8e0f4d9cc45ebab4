/**
 * A small HTTP client for the runner. node:http rather than fetch, because Elasticsearch APIs
 * accept bodies on GET and the runner must see raw status, headers and body of every answer.
 */
import { Agent, request } from 'node:http';
import type { HttpRequest } from './api-specs.js';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON when the answer is JSON, the text otherwise, undefined when empty. */
  readonly body: unknown;
  readonly text: string;
}

/** What the runner needs from a client: one request, one answer. */
export interface RequestSender {
  send(req: HttpRequest): Promise<HttpResponse>;
}

export class HttpClient implements RequestSender {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  send(req: HttpRequest): Promise<HttpResponse> {
    // concatenated, not resolved: a path like `//_refresh` must stay a path
    const url = new URL(this.baseUrl.replace(/\/$/, '') + req.path);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const r = request(url, { method: req.method, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({ status: res.statusCode ?? 0, headers: flat, body: parseBody(text, flat['content-type']), text });
        });
      });
      r.on('timeout', () => r.destroy(new Error(`${req.method} ${req.path} timed out after ${this.timeoutMs} ms`)));
      r.on('error', reject);
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType === undefined || contentType.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
