import type { AbstractHttpAdapter } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApprovalsBody, ApprovalsHandler, ApprovalsRoute } from './approvals-http.handler';

/** The route of a request path below `base`: `[]`, `[id]` or `[id, action]` (as sent). */
function routeOf(url: string | undefined, base: string): ApprovalsRoute | undefined {
  const path = (url ?? '').split('?')[0].replace(/\/+$/, '');
  if (path.length <= base.length) return {};
  const segments = path.slice(base.length + 1).split('/');
  if (segments.length > 2 || segments.includes('')) return undefined;
  return { approvalId: segments[0], ...(segments[1] !== undefined && { action: segments[1] }) };
}

type Handler = (req: any, res: any) => void;
interface ExpressLike {
  get(path: string, h: Handler): void;
  post(path: string, h: Handler): void;
  use(path: string, h: (err: any, req: any, res: any, next: (e?: unknown) => void) => void): void;
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

/**
 * Mounts the approval endpoints on the app's own HTTP adapter (Express or Fastify) at `base`,
 * `base/:id` and `base/:id/(approve|deny)`. Call it while the app initializes (an
 * `onModuleInit`), as `TasksModule` does with `approvals` configured.
 *
 * @example
 * ```ts
 * mountApprovals(adapterHost.httpAdapter, '/rampart/approvals', createApprovalsHandler(approvals, authorize));
 * ```
 */
export function mountApprovals(
  adapter: AbstractHttpAdapter,
  basePath: string,
  handler: ApprovalsHandler,
): void {
  const trimmed = basePath.replace(/\/+$/, '');
  const base = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  const type = adapter.getType();
  if (type === 'express') return mountExpress(adapter.getInstance(), base, handler);
  if (type === 'fastify') return mountFastify(adapter.getInstance(), base, handler);
  throw new Error(
    `The approval endpoints need the Express or Fastify adapter; this app uses "${type}"`,
  );
}

function mountExpress(app: ExpressLike, base: string, handler: ApprovalsHandler): void {
  const route: Handler = (
    req: IncomingMessage & { body?: unknown; originalUrl?: string },
    res: ServerResponse,
  ) => {
    const body: ApprovalsBody =
      req.body !== undefined || req.readableEnded
        ? { parsed: true, value: req.body }
        : { parsed: false };
    void handler.handle(req, res, routeOf(req.originalUrl ?? req.url, base) ?? {}, body);
  };
  app.get(base, route);
  app.get(`${base}/:id`, route);
  app.post(`${base}/:id/:action`, route);
  // The app's body parsers run before routes: their refusals on these paths are answered here.
  app.use(base, (err, req, res, next) => {
    const refused =
      err?.type === 'entity.too.large'
        ? { status: 413, message: `The body is larger than ${handler.bodyLimitBytes} bytes` }
        : err?.type === 'entity.parse.failed'
          ? { status: 400, message: 'The body is not valid JSON' }
          : undefined;
    if (!refused) return next(err);
    void handler.handle(req, res, routeOf(`${base}${req.url}`, base) ?? {}, { refused });
  });
}

function mountFastify(fastify: FastifyLike, base: string, handler: ApprovalsHandler): void {
  const serve = (request: FastifyRequestLike, reply: FastifyReplyLike, body: ApprovalsBody) => {
    const route = routeOf(request.raw.url, base);
    if (!route) return reply.callNotFound();
    reply.hijack();
    return handler.handle(request.raw, reply.raw, route, body);
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
      if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
        return serve(request, reply, { parsed: true, value: undefined });
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        return serve(request, reply, {
          refused: {
            status: 413,
            message: `The body is larger than ${handler.bodyLimitBytes} bytes`,
          },
        });
      if (error.statusCode === 400 || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
        return serve(request, reply, {
          refused: { status: 400, message: 'The body is not valid JSON' },
        });
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
        return serve(request, reply, {
          refused: { status: 415, message: 'The body must be JSON (application/json)' },
        });
      return reply.send(error);
    },
  };
  fastify.route({ method: ['GET'], url: base, ...options });
  fastify.route({ method: ['GET', 'POST'], url: `${base}/*`, ...options });
}
