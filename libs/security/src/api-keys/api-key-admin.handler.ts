import { Logger } from '@nestjs/common';
import type { McpIdentity } from '@rampart/core';
import type { IncomingMessage } from 'node:http';
import type { ApiKeys, IssueApiKeyInput } from './api-keys.service';
import { isApiKeyInputError } from './api-key-input.error';
import { isApiKeyStoreUnavailableError } from './api-key-store-unavailable.error';

/**
 * Decides who may use the admin API: resolves with the caller's identity, or `undefined` for a
 * request without credentials (answered `401`). To refuse with a status of your own (a `401` with
 * a `WWW-Authenticate` challenge, a `403` for a missing admin scope), throw an error that carries
 * it: an `McpProtocolError` (`httpStatus`, `headers`, `retryAfterMs`) or a Nest `HttpException`
 * (`getStatus()`). Its message is shown to the caller.
 *
 * @example
 * ```ts
 * const authorizeAdmin: ApiKeyAdminAuthorize = async (req) => {
 *   const identity = await authenticate(req);
 *   if (identity && !identity.scopes?.includes('rampart:admin')) throw new ForbiddenException('Needs scope rampart:admin');
 *   return identity;
 * };
 * ```
 */
export type ApiKeyAdminAuthorize = (
  request: IncomingMessage,
) => McpIdentity | undefined | Promise<McpIdentity | undefined>;

/**
 * The request body as the adapter delivered it: the parsed JSON, or why it could not be read
 * (not JSON, not `application/json`, too large).
 */
export type ApiKeyAdminBody = { value: unknown } | { error: 'parse' | 'media-type' | 'too-large' };

/** One request to the admin API, whatever the HTTP adapter. */
export interface ApiKeyAdminRequest {
  /** The HTTP method. */
  method: string;
  /** The `:id` of `<base>/api-keys/:id`; absent on `<base>/api-keys`. */
  id?: string;
  /** The body; absent when the request has none. */
  body?: ApiKeyAdminBody;
  /** The Node request: headers and socket, for `authorize`. */
  raw: IncomingMessage;
}

/** What the admin API answers: a status, a JSON body and headers (lower-case names). */
export interface ApiKeyAdminResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Answers one admin request. Never rejects: every failure is a JSON error response. */
export type ApiKeyAdminHandler = (request: ApiKeyAdminRequest) => Promise<ApiKeyAdminResponse>;

const logger = new Logger('ApiKeyAdmin');

/**
 * The admin API of API keys, independent of the HTTP adapter (`mountApiKeyAdmin()` puts it on
 * Express or Fastify):
 *
 * | Request | Answer |
 * |---|---|
 * | `POST <base>/api-keys`, JSON `{ subject, tenant?, scopes?, roles?, name?, expiresAt? }` | `201 { key, record }`: the key, shown this once |
 * | `GET <base>/api-keys` | `200 { keys: [record…] }` (no hashes, no keys) |
 * | `DELETE <base>/api-keys/:id` | `200 { record }`, or `404` |
 *
 * Every request is authorized first (`authorize`), so a caller who may not use the API learns
 * nothing else. Errors are `{ error, message, field? }`: `400 invalid_request` naming the field,
 * `401 unauthorized`, `403 forbidden`, `404 not_found`, `413`, `415`, `503 unavailable` when the
 * store is down. Answers carry `Cache-Control: no-store`.
 *
 * @example
 * ```ts
 * // authorizeAdmin: see ApiKeyAdminAuthorize
 * const handler = createApiKeyAdminHandler(apiKeys, authorizeAdmin);
 * mountApiKeyAdmin(app.getHttpAdapter(), '/admin', handler);
 * ```
 */
export function createApiKeyAdminHandler(
  apiKeys: ApiKeys,
  authorize: ApiKeyAdminAuthorize,
): ApiKeyAdminHandler {
  return async (request) => {
    let caller: McpIdentity | undefined;
    try {
      caller = await authorize(request.raw);
    } catch (error) {
      return refusal(error);
    }
    if (!caller) return answer(401, error('unauthorized', 'Authentication required'));
    try {
      return await serve(apiKeys, request, caller);
    } catch (e) {
      if (isApiKeyInputError(e))
        return answer(400, { ...error('invalid_request', e.message), field: e.field });
      if (isApiKeyStoreUnavailableError(e))
        return answer(
          503,
          error('unavailable', 'The API key store is unavailable; try again shortly'),
          { 'retry-after': '1' },
        );
      logger.error(`API key admin request failed: ${describe(e)}`);
      return answer(500, error('internal', 'Internal error'));
    }
  };
}

async function serve(
  apiKeys: ApiKeys,
  request: ApiKeyAdminRequest,
  caller: McpIdentity,
): Promise<ApiKeyAdminResponse> {
  const method = request.method.toUpperCase();
  if (request.id === undefined) {
    if (method === 'GET') return answer(200, { keys: await apiKeys.list() });
    if (method !== 'POST') return notAllowed('GET, POST');
    if (!isJson(request.raw.headers['content-type']) || body(request) === 'media-type')
      return answer(415, error('unsupported_media_type', 'The body must be application/json'));
    const value = body(request);
    if (value === 'too-large') return answer(413, error('too_large', 'The body is too large'));
    if (value === 'parse' || value === undefined)
      return answer(400, {
        ...error('invalid_request', 'The body is not valid JSON'),
        field: 'body',
      });
    return answer(201, await apiKeys.issue(value as IssueApiKeyInput, caller.subject));
  }
  if (method !== 'DELETE') return notAllowed('DELETE');
  const record = await apiKeys.revoke(request.id, caller.subject);
  return record
    ? answer(200, { record })
    : answer(404, error('not_found', 'No API key has this id'));
}

/** The parsed body, the name of its problem, or `undefined` without one. */
function body(request: ApiKeyAdminRequest): unknown {
  if (!request.body) return undefined;
  return 'error' in request.body ? request.body.error : request.body.value;
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType ?? '');
}

/** The answer to an error thrown by `authorize`: its own status and message when it has one. */
function refusal(e: unknown): ApiKeyAdminResponse {
  const thrown = e as {
    httpStatus?: unknown;
    getStatus?: () => unknown;
    headers?: unknown;
    retryAfterMs?: unknown;
    message?: unknown;
  };
  const status =
    typeof thrown?.httpStatus === 'number'
      ? thrown.httpStatus
      : typeof thrown?.getStatus === 'function'
        ? thrown.getStatus()
        : undefined;
  if (typeof status !== 'number' || status < 400 || status > 599) {
    logger.error(`API key admin authorization failed: ${describe(e)}`);
    return answer(500, error('internal', 'Internal error'));
  }
  const headers: Record<string, string> = {};
  if (thrown.headers && typeof thrown.headers === 'object')
    for (const [name, value] of Object.entries(thrown.headers))
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
  if (typeof thrown.retryAfterMs === 'number')
    headers['retry-after'] = String(Math.max(1, Math.ceil(thrown.retryAfterMs / 1000)));
  const code = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'refused';
  // 5xx messages may describe internals; 4xx ones are written for the caller.
  const message =
    status < 500 && typeof thrown.message === 'string' && thrown.message !== ''
      ? thrown.message
      : 'The request was refused';
  return answer(status, error(code, message), headers);
}

function notAllowed(allow: string): ApiKeyAdminResponse {
  return answer(405, error('method_not_allowed', `Allowed: ${allow}`), { allow });
}

function error(code: string, message: string): { error: string; message: string } {
  return { error: code, message };
}

function answer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiKeyAdminResponse {
  return { status, body, headers: { 'cache-control': 'no-store', ...headers } };
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : typeof e;
}
