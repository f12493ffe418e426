import { HttpException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { isMcpProtocolError, type McpProtocolError } from '@rampart/core';
import type { IncomingHttpHeaders } from 'node:http';
import { SecurityService } from '../security.service';

/** What the guard needs of a response: Express' `res` and Fastify's `reply` both have it. */
interface HeaderWriter {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

/**
 * A Nest guard for the operational endpoints (`/metrics`, `/health/*`, `/slo`) and any route of
 * your own that only operators may use: the caller must prove the admin scope
 * (`SecurityModuleOptions.adminScope`, default `rampart:admin`) with the credentials the module
 * accepts (a bearer token, an API key). Otherwise `401` with the `WWW-Authenticate` challenge,
 * `403` when the scope is missing, `503` with `Retry-After` when the authorization server cannot
 * be reached; on Express and Fastify alike. Refusals are published on `RampartChannel.access`
 * under the server name `operations`, so they are audited and counted.
 *
 * Extend it to change the name (`endpoint`) or the answer (`refusal()`).
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({ metrics: true, health: true, endpoints: { guards: [OperationsGuard] } });
 *
 * @Controller('ops') @UseGuards(OperationsGuard)
 * export class OpsController {}
 * ```
 */
@Injectable()
export class OperationsGuard implements CanActivate {
  /** The `server` of the access events of its refusals (audit, metrics). */
  protected readonly endpoint: string = 'operations';

  constructor(protected readonly security: SecurityService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<{
      headers: IncomingHttpHeaders;
      ip?: string;
      socket?: { remoteAddress?: string };
    }>();
    try {
      await this.security.authorizeAdmin(
        request.headers,
        this.endpoint,
        request.ip ?? request.socket?.remoteAddress,
      );
      return true;
    } catch (error) {
      throw isMcpProtocolError(error)
        ? this.refusal(error, http.getResponse<HeaderWriter>())
        : error;
    }
  }

  /**
   * The `HttpException` that answers a refusal, with the same status; its challenge
   * (`WWW-Authenticate`) and `Retry-After` are set on `response`.
   */
  protected refusal(error: McpProtocolError, response: HeaderWriter): HttpException {
    const headers: Record<string, string> = { ...error.headers };
    if (error.retryAfterMs !== undefined)
      headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
    for (const [name, value] of Object.entries(headers)) setHeader(response, name, value);
    const oauthError = (error.data as { error?: unknown } | undefined)?.error;
    return new HttpException(
      {
        statusCode: error.httpStatus,
        message: error.message,
        ...(typeof oauthError === 'string' && { error: oauthError }),
      },
      error.httpStatus,
    );
  }
}

function setHeader(response: HeaderWriter, name: string, value: string): void {
  // Fastify's reply has `header()` only; Express' response has both (`header` is `set`).
  if (typeof response.header === 'function') response.header(name, value);
  else response.setHeader?.(name, value);
}
