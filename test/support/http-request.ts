// One HTTP(S) request with node:http/node:https, for what fetch cannot do in
// tests: trust a test certificate (`ca`), set the Host header, or name the
// TLS server name. Always reads the whole body and never keeps the socket.
// On it: the server's GET /healthz, read.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { withTimeout } from './wait.ts';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Certificate(s) to trust for https. */
  ca?: Buffer | string;
  /** TLS server name (SNI and the name the certificate is checked against); defaults to the URL's host. */
  servername?: string;
  /** Set false to accept any certificate. */
  rejectUnauthorized?: boolean;
  /** Defaults to wait.ts's EVENT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Sends one request to `url` and resolves with the status, headers and body as text. */
export function httpGet(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = new Promise<HttpResponse>((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: { Connection: 'close', ...options.headers },
        agent: false,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.servername !== undefined ? { servername: options.servername } : {}),
        ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
  return withTimeout(response, `the response to ${options.method ?? 'GET'} ${url}`, options.timeoutMs);
}

/** What GET /healthz answers (server/operations.ts); `worker` and `pid` only under --workers. */
export interface Health {
  status: string;
  instance: string;
  uptimeSeconds: number;
  connections: number;
  worker?: number;
  pid?: number;
}

/**
 * GET /healthz on the server at `baseUrl`, on a connection of its own (so
 * with --workers each request may reach another worker).
 */
export async function health(baseUrl: string): Promise<{ status: number; contentType: string; body: Health }> {
  const response = await httpGet(new URL('/healthz', baseUrl).href);
  return {
    status: response.status,
    contentType: String(response.headers['content-type']),
    body: JSON.parse(response.body) as Health,
  };
}

/** A Content-Security-Policy header split into its directives: name → sources. */
export function parseCsp(header: string | undefined): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    if (directives.has(name.toLowerCase())) throw new Error(`CSP names ${name} twice: ${header}`);
    directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** The open WebSocket connections /healthz reports. */
export async function openConnections(baseUrl: string): Promise<number> {
  return (await health(baseUrl)).body.connections;
}
