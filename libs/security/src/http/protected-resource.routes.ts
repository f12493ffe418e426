import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PROTECTED_RESOURCE_METADATA_PATH } from '../security.constants';
import { SecurityService } from '../security.service';

/**
 * Serves RFC 9728 protected resource metadata on the app's HTTP adapter, at the well-known path
 * of the resource (`/.well-known/oauth-protected-resource/mcp` for `https://…/mcp`) and at the
 * bare well-known path, on Express and Fastify alike. Nothing is served when the module takes no
 * bearer tokens.
 */
@Injectable()
export class ProtectedResourceRoutes implements OnModuleInit {
  constructor(
    private readonly security: SecurityService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || !this.security.metadataUrl) return;
    const paths = new Set([PROTECTED_RESOURCE_METADATA_PATH, this.security.metadataUrl.pathname]);
    for (const path of paths)
      adapter.get(path, (_req: unknown, res: unknown) => {
        adapter.setHeader(res, 'cache-control', 'public, max-age=3600');
        // Built per request (a rare one): the scopes in use are known once the servers are up.
        adapter.reply(res, this.security.metadata(), 200);
      });
  }
}
