import type { AbstractHttpAdapter } from '@nestjs/core';
import { isJsonContentType } from '@modelcontextprotocol/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PreparsedBody, StreamableHttpHandler } from './streamable-http.handler';

const METHODS = ['POST', 'GET', 'DELETE'];

/**
 * Mounts an MCP endpoint on the app's own HTTP adapter, after the app's middleware, so that
 * global prefix, CORS, helmet, auth middleware and the like apply to it as to any route.
 * Express and Fastify are supported; each has its own way of parsing bodies first.
 */
export function mountStreamableHttp(
  adapter: AbstractHttpAdapter,
  path: string,
  handler: StreamableHttpHandler,
): void {
  const type = adapter.getType();
  if (type === 'express') return mountExpress(adapter.getInstance(), path, handler);
  if (type === 'fastify') return mountFastify(adapter.getInstance(), path, handler);
  throw new Error(
    `Rampart's MCP HTTP transport supports the Express and Fastify adapters, not "${type}"`,
  );
}

interface ExpressLike {
  post(path: string, h: (req: any, res: any) => void): void;
  get(path: string, h: (req: any, res: any) => void): void;
  delete(path: string, h: (req: any, res: any) => void): void;
  options(path: string, h: (req: any, res: any) => void): void;
  use(path: string, h: (err: any, req: any, res: any, next: (e?: unknown) => void) => void): void;
}

function mountExpress(app: ExpressLike, path: string, handler: StreamableHttpHandler): void {
  const route = (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
    // Nest's JSON parser (when on) has read the stream already and set `req.body`.
    const body: PreparsedBody =
      req.body !== undefined || req.readableEnded
        ? { parsed: true, value: req.body }
        : { parsed: false };
    void handler.handle(req, res, body, req);
  };
  app.post(path, route);
  app.get(path, route);
  app.delete(path, route);
  if (handler.routesOptions) app.options(path, route);
  // The app's body parsers run before routes; their failures on this path become JSON-RPC errors.
  // A body that is not JSON gets 415 whichever parser failed on it (Nest's urlencoded one on a
  // form), and so does JSON in a charset the JSON parser refuses.
  app.use(path, (err, req, res, next) => {
    if (err?.status === 415) return handler.rejectBody(req, res, 'media-type', err.message);
    if (typeof err?.type === 'string' && !isJsonContentType(req.headers['content-type']))
      return handler.rejectBody(req, res, 'media-type');
    if (err?.type === 'entity.too.large')
      // The app's parser refused the body at its own limit (body-parser's default is 100 KB).
      return handler.rejectBody(
        req,
        res,
        'too-large',
        undefined,
        typeof err.limit === 'number' ? err.limit : undefined,
      );
    if (err?.type === 'entity.parse.failed')
      return handler.rejectBody(req, res, 'parse', err.message);
    next(err);
  });
}

interface FastifyLike {
  route(options: Record<string, unknown>): void;
}

function mountFastify(fastify: FastifyLike, path: string, handler: StreamableHttpHandler): void {
  fastify.route({
    method: handler.routesOptions ? [...METHODS, 'OPTIONS'] : METHODS,
    url: path,
    bodyLimit: handler.bodyLimit,
    handler: (
      request: { raw: IncomingMessage; body?: unknown },
      reply: { raw: ServerResponse; hijack(): void },
    ) => {
      reply.hijack();
      const body: PreparsedBody =
        request.body !== undefined ? { parsed: true, value: request.body } : { parsed: false };
      return handler.handle(request.raw, reply.raw, body, request);
    },
    errorHandler: (
      error: { code?: string; message: string; statusCode?: number },
      request: { raw: IncomingMessage },
      reply: { raw: ServerResponse; hijack(): void; send(e: unknown): void },
    ) => {
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        reply.hijack();
        return handler.rejectBody(request.raw, reply.raw, 'media-type');
      }
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        reply.hijack();
        return handler.rejectBody(request.raw, reply.raw, 'too-large');
      }
      if (
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
        error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
        error.statusCode === 400
      ) {
        reply.hijack();
        return handler.rejectBody(request.raw, reply.raw, 'parse', error.message);
      }
      reply.send(error);
    },
  });
}
