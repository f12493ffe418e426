import { Module } from '@nestjs/common';
import { ProtectedResourceRoutes } from './http/protected-resource.routes';
import { SecurityHook } from './security.hook';
import { ConfigurableModuleClass } from './security.module-definition';
import { SecurityService } from './security.service';

/**
 * Identity and access for the app's Rampart servers: OAuth 2.1 bearer tokens (JWTs against a
 * JWKS, or introspected opaque tokens), API keys, `@Scopes()` / `@Roles()` / `@Public()` on
 * primitives (what a caller may not use is hidden from its lists and refused), governance, kill
 * switches and Cedar policies. See docs/security.md.
 *
 * @example
 * ```ts
 * SecurityModule.forRoot({
 *   resource: 'https://mcp.example.com/mcp',
 *   jwt: { issuer: 'https://login.example.com/', jwksUrl: 'https://login.example.com/jwks.json' },
 * })
 * ```
 */
@Module({
  providers: [SecurityService, SecurityHook, ProtectedResourceRoutes],
  exports: [SecurityService],
})
export class SecurityModule extends ConfigurableModuleClass {}
