import type { AbstractHttpAdapter } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  ApiKeyAdminBody,
  ApiKeyAdminHandler,
  ApiKeyAdminResponse,
} from './api-key-admin.handler';

/**
 * Largest body the admin API accepts where it sets the limit, in bytes: Fastify's route limit,
 * and the body it reads itself when the Express app parses no bodies (Express' own JSON parser,
 * when on, applies its limit).
 */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * Mounts the API keys admin API on the app's own HTTP adapter (Express or Fastify): `POST` and
 * `GET` on `<basePath>/api-keys`, `DELETE` on `<basePath>/api-keys/:id`. The routes sit after the
 * app's middleware and hooks (security headers, CORS apply to them); `basePath` is the full path,
 * the app's global prefix is not added. Call it while the app initialises (`onModuleInit`), before
 * it listens.
 *
 * @example
 * ```ts
 * mountApiKeyAdmin(httpAdapterHost.httpAdapter, '/admin', createApiKeyAdminHandler(apiKeys, authorize));
 * // POST /admin/api-keys, GET /admin/api-keys, DELETE /admin/api-keys/:id
 * ```
 */
export function mountApiKeyAdmin(
  adapter: AbstractHttpAdapter,
  basePath: string,
  handler: ApiKeyAdminHandler,
): void {
  const base = basePath.replace(/\/+$/, '');
  const collection = `${base.startsWith('/') || base === '' ? '' : '/'}${base}/api-keys`;
  const type = adapter.getType();
  if (type === 'express') return mountExpress(adapter.getInstance(), collection, handler);
  if (type === 'fastify') return mountFastify(adapter.getInstance(), collection, handler);
  throw new Error(
    `The API keys admin API supports the Express and Fastify adapters, not "${type}"`,
  );
}

type ExpressRequest = IncomingMessage & {
  body?: unknown;
  params?: Record<string, string>;
  path?: string;
};
type ExpressRoute = (req: ExpressRequest, res: ServerResponse) => void;

interface ExpressLike {
  post(path: string, h: ExpressRoute): void;
  get(path: string, h: ExpressRoute): void;
  delete(path: string, h: ExpressRoute): void;
  use(
    path: string,
    h: (err: any, req: ExpressRequest, res: ServerResponse, next: (e?: unknown) => void) => void,
  ): void;
}

function mountExpress(app: ExpressLike, collection: string, handler: ApiKeyAdminHandler): void {
  const route: ExpressRoute = (req, res) => {
    void (async () => {
      const body = req.method === 'POST' ? await expressBody(req) : undefined;
      write(
        res,
        await handler({ method: req.method ?? 'GET', id: req.params?.id, body, raw: req }),
      );
    })().catch(() => res.destroy()); // the client went away while its body was read
  };
  app.post(collection, route);
  app.get(collection, route);
  app.delete(`${collection}/:id`, route);
  // The app's body parsers run before routes; their failures on these paths are answered here,
  // in the admin API's own JSON (after authorization, as every answer).
  app.use(collection, (err, req, res, next) => {
    const problem = expressBodyProblem(err);
    // Inside `use`, `req.path` is relative to the collection: '/' or '/<id>'.
    const id = /^\/([^/]+)\/?$/.exec(req.path ?? '')?.[1];
    if (!problem || (id === undefined && req.path !== '/' && req.path !== '')) return next(err);
    void handler({
      method: req.method ?? 'POST',
      id: id === undefined ? undefined : decodeURIComponent(id),
      body: { error: problem },
      raw: req,
    }).then((answer) => write(res, answer));
  });
}

/** What the app's JSON parser set, or the body read here when the app parses no bodies. */
async function expressBody(req: ExpressRequest): Promise<ApiKeyAdminBody | undefined> {
  if (req.body !== undefined || req.readableEnded) return { value: req.body };
  if (!/json/i.test(req.headers['content-type'] ?? '')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) return { error: 'too-large' };
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { error: 'parse' };
  }
}

function expressBodyProblem(err: any): 'parse' | 'media-type' | 'too-large' | undefined {
  if (err?.status === 413 || err?.type === 'entity.too.large') return 'too-large';
  if (err?.status === 415) return 'media-type';
  if (err?.status === 400 && typeof err?.type === 'string') return 'parse';
  return undefined;
}

function write(res: ServerResponse, answer: ApiKeyAdminResponse): void {
  if (res.headersSent) return;
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(answer.body));
}

interface FastifyRequest {
  raw: IncomingMessage;
  body?: unknown;
  params?: Record<string, string>;
}

interface FastifyReply {
  code(status: number): FastifyReply;
  headers(headers: Record<string, string>): FastifyReply;
  send(payload?: unknown): FastifyReply;
}

interface FastifyLike {
  route(options: Record<string, unknown>): void;
}

function mountFastify(fastify: FastifyLike, collection: string, handler: ApiKeyAdminHandler): void {
  const reply = (to: FastifyReply, answer: ApiKeyAdminResponse) =>
    to
      .code(answer.status)
      .headers({ ...answer.headers, 'content-type': 'application/json; charset=utf-8' })
      .send(JSON.stringify(answer.body));
  const options = {
    // Replies go through `reply.send`, so the app's `onSend` hooks (helmet, CORS) apply.
    handler: async (request: FastifyRequest, to: FastifyReply) =>
      reply(
        to,
        await handler({
          method: request.raw.method ?? 'GET',
          id: request.params?.id,
          body: request.body === undefined ? undefined : { value: request.body },
          raw: request.raw,
        }),
      ),
    bodyLimit: MAX_BODY_BYTES,
    errorHandler: async (
      error: { code?: string; statusCode?: number },
      request: FastifyRequest,
      to: FastifyReply,
    ) => {
      const problem = fastifyBodyProblem(error);
      if (!problem) return to.send(error);
      return reply(
        to,
        await handler({
          method: request.raw.method ?? 'POST',
          id: request.params?.id,
          body: { error: problem },
          raw: request.raw,
        }),
      );
    },
  };
  fastify.route({ ...options, method: ['GET', 'POST'], url: collection });
  fastify.route({ ...options, method: 'DELETE', url: `${collection}/:id` });
}

function fastifyBodyProblem(error: {
  code?: string;
  statusCode?: number;
}): 'parse' | 'media-type' | 'too-large' | undefined {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'media-type';
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'too-large';
  if (
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error.statusCode === 400
  )
    return 'parse';
  return undefined;
}
