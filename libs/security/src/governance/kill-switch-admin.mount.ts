import type { AbstractHttpAdapter } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  KillSwitchAdminBody,
  KillSwitchAdminHandler,
  KillSwitchAdminRoute,
} from './kill-switch-admin.handler';
import {
  KILL_SWITCH_ADMIN_UNSUPPORTED_ADAPTER,
  KILL_SWITCH_BODY_NOT_JSON,
  KILL_SWITCH_BODY_TOO_LARGE,
  KILL_SWITCH_BODY_UNPARSABLE,
} from './kill-switch-messages.constant';

/**
 * Mounts the kill switch admin endpoints on the app's own HTTP adapter (Express or Fastify), at
 * `<basePath>/kill-switches`, `<basePath>/kill-switches/:server` and
 * `<basePath>/kill-switches/:server/:target`. Call it while the app initializes (in an
 * `onModuleInit`), after Nest's body parsers and before its not-found handler. The body parsers'
 * refusals on these paths (a body that is not JSON, too large, or malformed) are handed to the
 * handler, which answers them as JSON once the caller is authorized.
 *
 * @example
 * ```ts
 * onModuleInit() {
 *   const adapter = this.adapterHost.httpAdapter;
 *   mountKillSwitchAdmin(adapter, '/admin', createKillSwitchAdminHandler(store, authorize));
 * }
 * ```
 */
export function mountKillSwitchAdmin(
  adapter: AbstractHttpAdapter,
  basePath: string,
  handler: KillSwitchAdminHandler,
): void {
  const base = basePath.replace(/\/+$/, '');
  const collection = `${base.startsWith('/') || base === '' ? '' : '/'}${base}/kill-switches`;
  const type = adapter.getType();
  if (type === 'express') return mountExpress(adapter.getInstance(), collection, handler);
  if (type === 'fastify') return mountFastify(adapter.getInstance(), collection, handler);
  throw new Error(KILL_SWITCH_ADMIN_UNSUPPORTED_ADAPTER(type));
}

/**
 * The route of a request from its URL: the last `count` path segments, as sent (still
 * percent-encoded, so an encoded `/` in a target stays inside it).
 */
function routeOf(url: string | undefined, count: 0 | 1 | 2): KillSwitchAdminRoute {
  if (count === 0) return {};
  const path = (url ?? '').split('?')[0].replace(/\/$/, '');
  const segments = path.split('/').slice(-count);
  return count === 1 ? { server: segments[0] } : { server: segments[0], target: segments[1] };
}

type Handler = (req: any, res: any) => void;

interface ExpressLike {
  get(path: string, h: Handler): void;
  put(path: string, h: Handler): void;
  delete(path: string, h: Handler): void;
  use(path: string, h: (err: any, req: any, res: any, next: (e?: unknown) => void) => void): void;
}

function mountExpress(app: ExpressLike, collection: string, handler: KillSwitchAdminHandler): void {
  const route =
    (count: 0 | 1 | 2): Handler =>
    (req: IncomingMessage & { body?: unknown; originalUrl?: string }, res: ServerResponse) => {
      // Nest's JSON parser (when on) has read the stream already and set `req.body`.
      const body: KillSwitchAdminBody =
        req.body !== undefined || req.readableEnded
          ? { parsed: true, value: req.body }
          : { parsed: false };
      void handler.handle(req, res, routeOf(req.originalUrl ?? req.url, count), body);
    };
  app.get(collection, route(0));
  app.put(`${collection}/:server`, route(1));
  app.delete(`${collection}/:server`, route(1));
  app.put(`${collection}/:server/:target`, route(2));
  app.delete(`${collection}/:server/:target`, route(2));
  // The app's body parsers run before routes: their refusals on these paths are answered here.
  app.use(collection, (err, req, res, next) => {
    // Within `use`, `req.url` is relative to the collection: `/:server[/:target]`.
    const count = Math.min(2, String(req.url).split('?')[0].split('/').filter(Boolean).length);
    // A segment Express could not decode: the handler decodes it again and says what is wrong.
    if (err instanceof URIError)
      return void handler.handle(req, res, routeOf(req.url, count as 0 | 1 | 2), {
        parsed: true,
        value: req.body,
      });
    const refused = expressRefusal(err, handler.bodyLimitBytes);
    if (!refused) return next(err);
    void handler.handle(req, res, routeOf(req.url, count as 0 | 1 | 2), { refused });
  });
}

/** The answer to a body parser's error, when it is one. */
function expressRefusal(
  err: { status?: number; type?: unknown; message?: string } | undefined,
  limitBytes: number,
): { status: number; message: string } | undefined {
  if (err?.type === 'entity.too.large')
    return { status: 413, message: KILL_SWITCH_BODY_TOO_LARGE(limitBytes) };
  if (err?.type === 'entity.parse.failed')
    return { status: 400, message: KILL_SWITCH_BODY_UNPARSABLE() };
  if (err?.status === 415 || typeof err?.type === 'string')
    return { status: 415, message: KILL_SWITCH_BODY_NOT_JSON() };
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

function mountFastify(
  fastify: FastifyLike,
  collection: string,
  handler: KillSwitchAdminHandler,
): void {
  // One path segment may be a long resource URI: a wildcard route is not held to Fastify's
  // `maxParamLength` (100 by default), as `:server/:target` would be. The segments are counted here.
  const countOf = (url: string | undefined): 0 | 1 | 2 | undefined => {
    const path = (url ?? '').split('?')[0].replace(/\/$/, '');
    if (path.length <= collection.length) return 0;
    const segments = path.slice(collection.length + 1).split('/');
    if (segments.length > 2 || segments.includes('')) return undefined;
    return segments.length as 1 | 2;
  };
  const serve = (
    request: FastifyRequestLike,
    reply: FastifyReplyLike,
    body: KillSwitchAdminBody,
  ) => {
    const count = countOf(request.raw.url);
    if (count === undefined) return reply.callNotFound();
    reply.hijack();
    return handler.handle(request.raw, reply.raw, routeOf(request.raw.url, count), body);
  };
  const options = {
    bodyLimit: handler.bodyLimitBytes,
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
      const body = fastifyBody(error, handler.bodyLimitBytes);
      if (!body) return reply.send(error);
      return serve(request, reply, body);
    },
  };
  fastify.route({ method: ['GET'], url: collection, ...options });
  fastify.route({ method: ['PUT', 'DELETE'], url: `${collection}/*`, ...options });
}

/** What Fastify's content-type parsers' errors mean for the handler, when they are theirs. */
function fastifyBody(
  error: { code?: string; statusCode?: number },
  limitBytes: number,
): KillSwitchAdminBody | undefined {
  switch (error.code) {
    // `content-type: application/json` with no body: as no body at all.
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { parsed: true, value: undefined };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { refused: { status: 415, message: KILL_SWITCH_BODY_NOT_JSON() } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { refused: { status: 413, message: KILL_SWITCH_BODY_TOO_LARGE(limitBytes) } };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { refused: { status: 400, message: KILL_SWITCH_BODY_UNPARSABLE() } };
  }
  if (error.statusCode === 400)
    return { refused: { status: 400, message: KILL_SWITCH_BODY_UNPARSABLE() } };
  return undefined;
}
