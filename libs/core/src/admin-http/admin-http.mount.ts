import type { AbstractHttpAdapter } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminHttpBody } from './admin-http';
import {
  ADMIN_HTTP_BODY_NOT_JSON,
  ADMIN_HTTP_BODY_TOO_LARGE,
  ADMIN_HTTP_BODY_UNPARSABLE,
} from './admin-http-messages.constant';

/** A method an admin endpoint takes. */
export type AdminHttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One route of {@link mountAdminHttp}: a method, on the base path or one or two segments below. */
export interface AdminHttpRoute {
  method: AdminHttpMethod;
  /** Path segments below the base path: `0` is the base itself. */
  segments: 0 | 1 | 2;
}

/** What {@link mountAdminHttp} mounts. */
export interface AdminHttpEndpoints {
  /** Where the endpoints are: a `/` is put in front when missing, trailing ones are dropped. */
  basePath: string;
  /**
   * The routes. On Express anything else below the base path is no route (the app's `404`); on
   * Fastify, where one wildcard route takes the methods of every depth below the base path, the
   * handler also gets a method at a depth that does not take it (and answers `405`).
   */
  routes: readonly AdminHttpRoute[];
  /** Largest body the framework's parser may accept on these routes, in bytes. */
  bodyLimitBytes: number;
  /** The message of the error thrown for an adapter other than Express or Fastify. */
  unsupportedAdapter(type: string): string;
  /**
   * Answers one request (never rejects). `segments` are the path segments below the base path,
   * as sent (still percent-encoded, so an encoded `/` stays inside its segment); `body` is what
   * the framework left of the body, its parser's refusals included.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    segments: readonly string[],
    body: AdminHttpBody,
  ): Promise<void>;
}

/**
 * Mounts admin endpoints on the app's own HTTP adapter (Express or Fastify), on raw Node
 * requests. Call it while the app initializes (in an `onModuleInit`), after Nest's body parsers
 * and before its not-found handler. The body parsers' refusals on these paths (a body that is not
 * JSON, too large, or malformed) and, on Express, a path it cannot decode are handed to `handle`,
 * which answers them once the caller is authorized. On Fastify the wildcard route below the base
 * is not held to its `maxParamLength`, so a segment may be a long resource URI.
 *
 * @example
 * ```ts
 * mountAdminHttp(adapterHost.httpAdapter, {
 *   basePath: '/rampart/approvals',
 *   routes: [{ method: 'GET', segments: 0 }, { method: 'GET', segments: 1 }, { method: 'POST', segments: 2 }],
 *   bodyLimitBytes: 8_192,
 *   unsupportedAdapter: (type) => `The approval endpoints need Express or Fastify, not "${type}"`,
 *   handle: (req, res, segments, body) => handler.handle(req, res, routeOf(segments), body),
 * });
 * ```
 */
export function mountAdminHttp(adapter: AbstractHttpAdapter, endpoints: AdminHttpEndpoints): void {
  const trimmed = endpoints.basePath.replace(/\/+$/, '');
  const base = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  const type = adapter.getType();
  if (type === 'express') return mountExpress(adapter.getInstance(), base, endpoints);
  if (type === 'fastify') return mountFastify(adapter.getInstance(), base, endpoints);
  throw new Error(endpoints.unsupportedAdapter(type));
}

/** The last `count` path segments of a URL, as sent. */
function lastSegments(url: string | undefined, count: number): string[] {
  if (count === 0) return [];
  const path = (url ?? '').split('?')[0].replace(/\/$/, '');
  return path.split('/').slice(-count);
}

type Handler = (req: any, res: any) => void;

interface ExpressLike {
  get(path: string, h: Handler): void;
  post(path: string, h: Handler): void;
  put(path: string, h: Handler): void;
  delete(path: string, h: Handler): void;
  use(path: string, h: (err: any, req: any, res: any, next: (e?: unknown) => void) => void): void;
}

const EXPRESS_METHOD = { GET: 'get', POST: 'post', PUT: 'put', DELETE: 'delete' } as const;

function mountExpress(app: ExpressLike, base: string, endpoints: AdminHttpEndpoints): void {
  const route =
    (count: number): Handler =>
    (req: IncomingMessage & { body?: unknown; originalUrl?: string }, res: ServerResponse) => {
      // Nest's JSON parser (when on) has read the stream already and set `req.body`.
      const body: AdminHttpBody =
        req.body !== undefined || req.readableEnded
          ? { parsed: true, value: req.body }
          : { parsed: false };
      void endpoints.handle(req, res, lastSegments(req.originalUrl ?? req.url, count), body);
    };
  for (const { method, segments } of endpoints.routes) {
    const path = [base, ':first', ':second'].slice(0, segments + 1).join('/');
    app[EXPRESS_METHOD[method]](path, route(segments));
  }
  const deepest = Math.max(...endpoints.routes.map((r) => r.segments));
  // The app's body parsers run before routes: their refusals on these paths are answered here.
  app.use(base, (err, req, res, next) => {
    // Within `use`, `req.url` is relative to the base path.
    const count = Math.min(
      deepest,
      String(req.url).split('?')[0].split('/').filter(Boolean).length,
    );
    // A segment Express could not decode: the handler decodes it again and says what is wrong.
    if (err instanceof URIError)
      return void endpoints.handle(req, res, lastSegments(req.url, count), {
        parsed: true,
        value: req.body,
      });
    const refused = expressRefusal(err, endpoints.bodyLimitBytes);
    if (!refused) return next(err);
    void endpoints.handle(req, res, lastSegments(req.url, count), { refused });
  });
}

/** The answer to a body parser's error, when it is one. */
function expressRefusal(
  err: { status?: number; type?: unknown } | undefined,
  limitBytes: number,
): { status: number; message: string } | undefined {
  if (err?.type === 'entity.too.large')
    return { status: 413, message: ADMIN_HTTP_BODY_TOO_LARGE(limitBytes) };
  if (err?.type === 'entity.parse.failed')
    return { status: 400, message: ADMIN_HTTP_BODY_UNPARSABLE() };
  if (err?.status === 415 || typeof err?.type === 'string')
    return { status: 415, message: ADMIN_HTTP_BODY_NOT_JSON() };
  return undefined;
}

interface FastifyRequestLike {
  raw: IncomingMessage;
  body?: unknown;
}

interface FastifyReplyLike {
  raw: ServerResponse;
  hijack(): void;
  send(payload: unknown): void;
  callNotFound(): void;
}

interface FastifyLike {
  route(options: Record<string, unknown>): void;
}

function mountFastify(fastify: FastifyLike, base: string, endpoints: AdminHttpEndpoints): void {
  const deepest = Math.max(...endpoints.routes.map((r) => r.segments));
  // The segments below the base, or `undefined` for a path deeper than any route.
  const segmentsOf = (url: string | undefined) => {
    const path = (url ?? '').split('?')[0].replace(/\/$/, '');
    const segments = path.length <= base.length ? [] : path.slice(base.length + 1).split('/');
    return segments.length > deepest || segments.includes('') ? undefined : segments;
  };
  const serve = (request: FastifyRequestLike, reply: FastifyReplyLike, body: AdminHttpBody) => {
    const segments = segmentsOf(request.raw.url);
    if (!segments) return reply.callNotFound();
    reply.hijack();
    return endpoints.handle(request.raw, reply.raw, segments, body);
  };
  const options = {
    bodyLimit: endpoints.bodyLimitBytes,
    handler: (request: FastifyRequestLike, reply: FastifyReplyLike) =>
      serve(
        request,
        reply,
        request.body !== undefined ? { parsed: true, value: request.body } : { parsed: false },
      ),
    errorHandler: (
      error: { code?: string; statusCode?: number },
      request: FastifyRequestLike,
      reply: FastifyReplyLike,
    ) => {
      const body = fastifyBody(error, endpoints.bodyLimitBytes);
      if (!body) return reply.send(error);
      return serve(request, reply, body);
    },
  };
  const methodsAt = (below: boolean) => [
    ...new Set(endpoints.routes.filter((r) => r.segments > 0 === below).map((r) => r.method)),
  ];
  const onBase = methodsAt(false);
  const belowBase = methodsAt(true);
  if (onBase.length) fastify.route({ method: onBase, url: base, ...options });
  if (belowBase.length) fastify.route({ method: belowBase, url: `${base}/*`, ...options });
}

/** What Fastify's content-type parsers' errors mean for the handler, when they are theirs. */
function fastifyBody(
  error: { code?: string; statusCode?: number },
  limitBytes: number,
): AdminHttpBody | undefined {
  switch (error.code) {
    // `content-type: application/json` with no body: as no body at all.
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { parsed: true, value: undefined };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { refused: { status: 415, message: ADMIN_HTTP_BODY_NOT_JSON() } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { refused: { status: 413, message: ADMIN_HTTP_BODY_TOO_LARGE(limitBytes) } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { refused: { status: 400, message: ADMIN_HTTP_BODY_UNPARSABLE() } };
  }
  if (error.statusCode === 400)
    return { refused: { status: 400, message: ADMIN_HTTP_BODY_UNPARSABLE() } };
  return undefined;
}
