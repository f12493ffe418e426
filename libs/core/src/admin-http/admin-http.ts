import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpIdentity } from '../interfaces/mcp-identity.interface';
import { AdminHttpProblem } from './admin-http-problem';
import { ADMIN_HTTP_BODY_TOO_LARGE } from './admin-http-messages.constant';

/**
 * The request body of an admin request as the HTTP framework left it: parsed already (Nest's
 * JSON parser, Fastify's), still in the stream, or refused by the framework's parser (the refusal
 * is answered after the caller is authorized, like any other problem).
 */
export type AdminHttpBody =
  | { parsed: true; value: unknown }
  | { parsed: false }
  | { refused: { status: number; message: string } };

/** The `error` word of an admin answer, by HTTP status. */
export const ADMIN_HTTP_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  500: 'internal_error',
  503: 'unavailable',
};

/**
 * Answers `status` with `body` as JSON, `no-store`, with `headers` added.
 *
 * @example
 * ```ts
 * sendAdminJson(res, 200, { killSwitches: await store.list() });
 * ```
 */
export function sendAdminJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/**
 * Answers a problem as JSON `{ error, message, reason? }` (`error` from
 * {@link ADMIN_HTTP_ERROR_CODES}); once an answer has started, the connection is closed instead.
 *
 * @example
 * ```ts
 * try { await serve(req, res); } catch (e) { answerAdminProblem(res, isAdminHttpProblem(e) ? e : new AdminHttpProblem(500, 'Failed')); }
 * ```
 */
export function answerAdminProblem(res: ServerResponse, problem: AdminHttpProblem): void {
  if (res.headersSent) return void res.destroy();
  sendAdminJson(
    res,
    problem.status,
    {
      error:
        ADMIN_HTTP_ERROR_CODES[problem.status] ??
        (problem.status < 500 ? 'invalid_request' : 'error'),
      message: problem.message,
      ...(problem.reason && { reason: problem.reason }),
    },
    problem.headers,
  );
}

/**
 * The HTTP refusal an error carries, if it carries one: a status (`httpStatus`, `status`,
 * `statusCode` or Nest's `getStatus()`, 400 to 599), its message, `headers` (a `WWW-Authenticate`
 * challenge) and `retryAfterMs` (as `Retry-After`). What an `authorize` function throws.
 *
 * @example
 * ```ts
 * adminRefusalOf(new ForbiddenException('No')); // AdminHttpProblem(403, 'No')
 * ```
 */
export function adminRefusalOf(error: unknown): AdminHttpProblem | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as {
    httpStatus?: unknown;
    status?: unknown;
    statusCode?: unknown;
    getStatus?: () => unknown;
    message?: unknown;
    headers?: unknown;
    retryAfterMs?: unknown;
  };
  const status = [
    e.httpStatus,
    e.status,
    e.statusCode,
    typeof e.getStatus === 'function' ? e.getStatus() : undefined,
  ].find((s): s is number => typeof s === 'number' && Number.isInteger(s) && s >= 400 && s < 600);
  if (status === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (e.headers && typeof e.headers === 'object')
    for (const [name, value] of Object.entries(e.headers))
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
  if (typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0)
    headers['retry-after'] = String(Math.ceil(e.retryAfterMs / 1_000));
  const message = typeof e.message === 'string' && e.message ? e.message : `HTTP ${status}`;
  return new AdminHttpProblem(status, message, headers);
}

/**
 * Runs `authorize` on a request: resolves with what it resolves with; its refusal (an error
 * carrying an HTTP status, see {@link adminRefusalOf}) becomes the {@link AdminHttpProblem} to
 * answer, any other error is rethrown.
 *
 * @example
 * ```ts
 * const identity = await authorizeAdminRequest(req, authorize);
 * if (!identity) throw new AdminHttpProblem(401, 'Authentication is required');
 * ```
 */
export async function authorizeAdminRequest(
  req: IncomingMessage,
  authorize: (req: IncomingMessage) => Promise<McpIdentity | undefined>,
): Promise<McpIdentity | undefined> {
  try {
    return await authorize(req);
  } catch (error) {
    throw adminRefusalOf(error) ?? error;
  }
}

/**
 * A `405` naming the methods `allowed` (also in `Allow`).
 *
 * @example
 * ```ts
 * if (req.method !== 'GET') throw adminMethodNotAllowed(req.method ?? '', ['GET']);
 * ```
 */
export function adminMethodNotAllowed(
  method: string,
  allowed: readonly string[],
  message = `${method} is not allowed here: ${allowed.join(', ')}`,
): AdminHttpProblem {
  return new AdminHttpProblem(405, message, { allow: allowed.join(', ') });
}

/**
 * A path segment as sent, decoded; a bad percent-encoding is the caller's problem (`400`, with
 * `message`).
 *
 * @example
 * ```ts
 * decodeAdminSegment('delete%5Fpage', 'Bad id'); // 'delete_page'
 * ```
 */
export function decodeAdminSegment(segment: string, message: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AdminHttpProblem(400, message);
  }
}

/** Whether a `Content-Type` is JSON (`application/json`, `application/…+json`). */
export function isJsonContentType(type: string | undefined): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type ?? '');
}

/**
 * The body still in the stream, as UTF-8, at most `limitBytes`: past it, the rest is left unread,
 * and the promise rejects with a `413` that closes the connection after the answer. A stream
 * read already gives `''`.
 *
 * @example
 * ```ts
 * const text = body.parsed ? undefined : await readAdminBody(req, 8_192);
 * ```
 */
export function readAdminBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  if (req.readableEnded) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size <= limitBytes) return void chunks.push(buffer);
      done();
      req.pause();
      reject(
        new AdminHttpProblem(413, ADMIN_HTTP_BODY_TOO_LARGE(limitBytes), { connection: 'close' }),
      );
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
