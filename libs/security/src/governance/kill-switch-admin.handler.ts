import { Logger } from '@nestjs/common';
import {
  AdminHttpProblem,
  ADMIN_HTTP_BODY_NOT_JSON,
  ADMIN_HTTP_BODY_UNPARSABLE,
  adminMethodNotAllowed,
  answerAdminProblem,
  authorizeAdminRequest,
  decodeAdminSegment,
  isAdminHttpProblem,
  isJsonContentType,
  readAdminBody,
  sendAdminJson,
  type AdminHttpBody,
  type McpIdentity,
} from '@rampart/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KillSwitch, KillSwitchStore } from './kill-switch.store';
import { isKillSwitchInputError } from './kill-switch-input.error';
import {
  KILL_SWITCH_ADMIN_CLEARED,
  KILL_SWITCH_ADMIN_FAILED,
  KILL_SWITCH_ADMIN_METHOD,
  KILL_SWITCH_ADMIN_STORE_DOWN,
  KILL_SWITCH_ADMIN_THROWN,
  KILL_SWITCH_ADMIN_UNAUTHENTICATED,
  KILL_SWITCH_ADMIN_UNEXPECTED,
  KILL_SWITCH_BODY_NOT_OBJECT,
  KILL_SWITCH_BODY_UNKNOWN_FIELD,
  KILL_SWITCH_NOT_THROWN,
  KILL_SWITCH_PATH_UNDECODABLE,
} from './kill-switch-messages.constant';
import { isKillSwitchStoreUnavailableError } from './kill-switch-store-unavailable.error';

/**
 * Decides who may use the kill switch admin endpoints: resolves with the caller's identity, or
 * throws an error that carries an HTTP status (`httpStatus`, `status`, `statusCode` or Nest's
 * `getStatus()`: `401` without valid credentials, `403` without the admin scope), and optionally
 * `headers` (a `WWW-Authenticate` challenge) and `retryAfterMs`. It sees the request before
 * anything else about it is looked at.
 *
 * @example
 * ```ts
 * const authorize: KillSwitchAdminAuthorize = async (req) => {
 *   const identity = await authenticate(req); // throws a 401 error
 *   if (!identity.scopes?.includes('rampart:admin'))
 *     throw Object.assign(new Error('The admin scope is required'), { status: 403 });
 *   return identity;
 * };
 * ```
 */
export type KillSwitchAdminAuthorize = (req: IncomingMessage) => Promise<McpIdentity>;

/**
 * What an admin request names, as its path segments spell it (still percent-encoded: the handler
 * decodes them): nothing (the list), a whole server, or one target of it.
 */
export interface KillSwitchAdminRoute {
  /** Rampart server name, percent-encoded. */
  server?: string;
  /** Tool or prompt name, or resource URI, percent-encoded (`encodeURIComponent`). */
  target?: string;
}

/**
 * The request body as the HTTP framework left it: parsed already, still in the stream, or refused
 * by the framework's parser (the refusal is answered after `authorize`, like any other problem).
 */
export type KillSwitchAdminBody = AdminHttpBody;

/** Options of {@link createKillSwitchAdminHandler}. */
export interface KillSwitchAdminOptions {
  /**
   * Largest body read from the stream (when no parser read it first), in bytes.
   * @default 16_384
   */
  bodyLimitBytes?: number;
  /**
   * The clock that dates a thrown switch.
   * @default () => new Date()
   */
  now?: () => Date;
}

/**
 * Answers the kill switch admin requests on raw Node requests; {@link mountKillSwitchAdmin}
 * routes to it from Express or Fastify.
 */
export interface KillSwitchAdminHandler {
  /** Largest body a framework's parser should accept on these routes, in bytes. */
  readonly bodyLimitBytes: number;
  /**
   * Answers one request: `GET` lists the switches, `PUT` throws one (body `{ reason? }`),
   * `DELETE` restores service. Never rejects.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: KillSwitchAdminRoute,
    body: KillSwitchAdminBody,
  ): Promise<void>;
}

const DEFAULT_BODY_LIMIT_BYTES = 16_384;

/**
 * Creates the handler of the kill switch admin endpoints, relative to a base path:
 *
 * - `GET <base>/kill-switches`: `200 { killSwitches: KillSwitch[] }`;
 * - `PUT <base>/kill-switches/:server[/:target]`, body `{ reason? }` (or none): throws the
 *   switch, recording `by` (the caller's subject) and `at` (now); `200 { killSwitch }`;
 * - `DELETE <base>/kill-switches/:server[/:target]`: restores service; `204`, or `404` when no
 *   such switch is thrown.
 *
 * The target is one path segment, URL-encoded (`encodeURIComponent`), since it may be a resource
 * URI. Every request goes through `authorize` first; its refusal is the answer (`401`, `403`).
 * Problems are JSON `{ error, message }`: `400` naming what is wrong, `415` for a body that is not
 * JSON, `503` with `Retry-After` while the store cannot make changes. Responses are `no-store`.
 *
 * @example
 * ```ts
 * const handler = createKillSwitchAdminHandler(store, async (req) => authorizeAdmin(req));
 * mountKillSwitchAdmin(app.getHttpAdapter(), '/admin', handler);
 * // curl -X PUT -H 'authorization: Bearer …' -H 'content-type: application/json' \
 * //   -d '{"reason":"incident 42"}' https://mcp.example.com/admin/kill-switches/web/delete_page
 * ```
 */
export function createKillSwitchAdminHandler(
  store: KillSwitchStore,
  authorize: KillSwitchAdminAuthorize,
  options: KillSwitchAdminOptions = {},
): KillSwitchAdminHandler {
  const logger = new Logger('KillSwitchAdmin');
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const now = options.now ?? (() => new Date());

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: KillSwitchAdminRoute,
    body: KillSwitchAdminBody,
  ): Promise<void> {
    const identity = await authorizeCaller(req);
    const method = req.method ?? 'GET';
    const server = decodeSegment(route.server);
    const target = decodeSegment(route.target);

    if (server === undefined) {
      if (method !== 'GET' && method !== 'HEAD') throw notAllowed(method, ['GET']);
      return sendAdminJson(res, 200, { killSwitches: await store.list() });
    }
    if (method === 'PUT') {
      const reason = await readReason(req, body);
      const kill: KillSwitch = {
        server,
        ...(target === undefined ? {} : { target }),
        ...(reason === undefined ? {} : { reason }),
        by: identity.subject,
        at: now().toISOString(),
      };
      await store.set(kill);
      logger.log(KILL_SWITCH_ADMIN_THROWN(switchName(server, target), identity.subject, reason));
      return sendAdminJson(res, 200, { killSwitch: kill });
    }
    if (method === 'DELETE') {
      if (!(await store.clear(server, target)))
        throw new AdminHttpProblem(404, KILL_SWITCH_NOT_THROWN(server, target));
      logger.log(KILL_SWITCH_ADMIN_CLEARED(switchName(server, target), identity.subject));
      res.writeHead(204, { 'cache-control': 'no-store' });
      res.end();
      return;
    }
    throw notAllowed(method, ['PUT', 'DELETE']);
  }

  async function authorizeCaller(req: IncomingMessage): Promise<McpIdentity> {
    const identity = await authorizeAdminRequest(req, authorize);
    if (!identity || typeof identity.subject !== 'string' || identity.subject === '')
      throw new AdminHttpProblem(401, KILL_SWITCH_ADMIN_UNAUTHENTICATED());
    return identity;
  }

  async function readReason(
    req: IncomingMessage,
    body: KillSwitchAdminBody,
  ): Promise<string | undefined> {
    if ('refused' in body) throw new AdminHttpProblem(body.refused.status, body.refused.message);
    let value: unknown;
    if (body.parsed) value = body.value;
    else {
      const text = await readAdminBody(req, bodyLimitBytes);
      if (text.trim() === '') value = undefined;
      else if (!isJsonContentType(req.headers['content-type']))
        throw new AdminHttpProblem(415, ADMIN_HTTP_BODY_NOT_JSON());
      else
        try {
          value = JSON.parse(text);
        } catch {
          throw new AdminHttpProblem(400, ADMIN_HTTP_BODY_UNPARSABLE());
        }
    }
    if (value === undefined || value === null || value === '') return undefined;
    // An empty object, from whatever parser, is no body either.
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
      return undefined;
    // A parser of another type (a form) may have read the body: only JSON is accepted.
    if (!isJsonContentType(req.headers['content-type']))
      throw new AdminHttpProblem(415, ADMIN_HTTP_BODY_NOT_JSON());
    if (typeof value !== 'object' || Array.isArray(value))
      throw new AdminHttpProblem(400, KILL_SWITCH_BODY_NOT_OBJECT());
    for (const field of Object.keys(value))
      if (field !== 'reason')
        throw new AdminHttpProblem(400, KILL_SWITCH_BODY_UNKNOWN_FIELD(field));
    return (value as { reason?: string }).reason; // checked by the store
  }

  return {
    bodyLimitBytes,
    async handle(req, res, route, body) {
      try {
        await serve(req, res, route, body);
      } catch (error) {
        answerAdminProblem(res, problemOf(error, logger));
      }
    },
  };
}

/** A path segment, decoded; a bad percent-encoding is the caller's problem (`400`). */
function decodeSegment(segment: string | undefined): string | undefined {
  return segment === undefined
    ? undefined
    : decodeAdminSegment(segment, KILL_SWITCH_PATH_UNDECODABLE());
}

/** `server "web"`, or `"delete_page" of server "web"`, for logs. */
function switchName(server: string, target?: string): string {
  return target === undefined ? `server "${server}"` : `"${target}" of server "${server}"`;
}

function notAllowed(method: string, allowed: readonly string[]): AdminHttpProblem {
  return adminMethodNotAllowed(method, allowed, KILL_SWITCH_ADMIN_METHOD(method, allowed));
}

/** What to answer for `error`; what is not a known problem is logged and answered `500`. */
function problemOf(error: unknown, logger: Logger): AdminHttpProblem {
  if (isAdminHttpProblem(error)) return error;
  if (isKillSwitchInputError(error)) return new AdminHttpProblem(400, error.message);
  if (isKillSwitchStoreUnavailableError(error)) {
    logger.warn(error.message);
    return new AdminHttpProblem(503, KILL_SWITCH_ADMIN_STORE_DOWN(), { 'retry-after': '1' });
  }
  logger.error(KILL_SWITCH_ADMIN_UNEXPECTED((error as Error)?.message ?? String(error)));
  return new AdminHttpProblem(500, KILL_SWITCH_ADMIN_FAILED());
}
