import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  McpHook,
  type McpAuthRequest,
  type McpHttpExchange,
  type McpIdentity,
  type McpListedEntry,
  type McpRequest,
  type McpRequestHook,
  type McpView,
} from '@rampart/core';
import type { SecurityModuleOptions } from './interfaces/security-module-options.interface';
import { securityHeaders, type HeaderLine } from './http/security-headers';
import { SecurityService } from './security.service';
import { SECURITY_MODULE_OPTIONS } from './security.module-definition';

/** Headers a browser client may read from MCP responses. */
const EXPOSED_HEADERS = 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, Retry-After';

/**
 * Rampart's request hook for security, first of all hooks: security headers and CORS on the MCP
 * endpoint, the caller's identity from its credentials, the refusal of calls the caller may not
 * make (`401`, `403` with the scope it needs), and the view that hides from its lists what it may
 * not use.
 */
@McpHook({ order: -1000 })
@Injectable()
export class SecurityHook implements McpRequestHook {
  private readonly headers?: readonly HeaderLine[];
  private readonly corsOrigins?: ReadonlySet<string>;

  constructor(
    @Inject(SECURITY_MODULE_OPTIONS) private readonly options: SecurityModuleOptions,
    private readonly security: SecurityService,
  ) {
    const headers = options.http?.headers ?? true;
    if (headers !== false) this.headers = securityHeaders(headers === 'all' ? 'all' : 'api');
    if (options.http?.cors) this.corsOrigins = new Set(options.http.cors.origins);
  }

  enabledFor(server: string): boolean {
    return this.security.protects(server);
  }

  onHttpRequest({ request, response }: McpHttpExchange): void {
    if (this.headers) for (const [name, value] of this.headers) response.setHeader(name, value);
    response.removeHeader('x-powered-by');
    if (this.corsOrigins) this.cors(request, response);
  }

  authenticate(
    request: McpAuthRequest,
  ): Promise<McpIdentity | undefined> | McpIdentity | undefined {
    if (!request.http) return this.options.localIdentity;
    const http = request.http.request;
    return this.security.identify(http.headers, request.server, http.socket.remoteAddress);
  }

  /**
   * Refuses a call the caller may not make with the answer that lets it recover: `401` when it
   * needs to authenticate, `403` naming the scopes when it needs more, `403` for a policy. A
   * primitive hidden from the caller (roles, governance, kill switch) is left to the dispatcher,
   * which answers it as unknown, as the caller's lists suggest.
   */
  admit(request: McpRequest): void {
    const entry = this.entryOf(request);
    if (!entry) return;
    const identity = request.origin.identity;
    const access = this.security.accessOf(request.server);
    const outcome = access.decide(entry, identity, {
      method: request.method,
      arguments: request.arguments,
    });
    if (!outcome.denial) return;
    this.security.publish({
      server: request.server,
      stage: 'authorization',
      reason: outcome.denial,
      method: request.method,
      target: request.target,
      ...(identity && { subject: identity.subject, tenant: identity.tenant }),
      ...(outcome.policies && { policies: outcome.policies }),
    });
    if (outcome.denial === 'unauthenticated') throw this.security.challenges.unauthenticated();
    if (outcome.denial === 'insufficient-scope')
      throw this.security.challenges.insufficientScope(outcome.scopes ?? []);
    if (outcome.denial === 'policy') throw this.security.challenges.forbidden();
  }

  view(request: McpRequest): McpView {
    return this.security.accessOf(request.server).viewFor(request.origin.identity);
  }

  private entryOf(request: McpRequest): McpListedEntry | undefined {
    const target = request.target;
    if (target === undefined) return undefined;
    const registry = this.security.registryOf(request.server);
    switch (request.method) {
      case 'tools/call':
        return registry.tools.get(target);
      case 'prompts/get':
        return registry.prompts.get(target);
      case 'resources/read':
        return (
          registry.resources.get(target) ??
          registry.templates.list().find((t) => t.template.match(target) !== null)
        );
      default:
        return undefined;
    }
  }

  private cors(request: IncomingMessage, response: ServerResponse): void {
    const origin = request.headers.origin;
    response.appendHeader('vary', 'Origin');
    if (typeof origin !== 'string' || !this.corsOrigins!.has(origin)) return;
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method']) return;
    const requested = request.headers['access-control-request-headers'];
    response.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, DELETE',
      ...(typeof requested === 'string' && { 'access-control-allow-headers': requested }),
      'access-control-max-age': String(this.options.http!.cors!.maxAgeSeconds ?? 600),
    });
    response.end();
  }
}
