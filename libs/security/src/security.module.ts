import { Logger, Module } from '@nestjs/common';
import { ApiKeyVerifierToken } from './api-keys/api-key-verifier.token';
import { ApiKeyStore } from './api-keys/api-key.store';
import { ApiKeys } from './api-keys/api-keys.service';
import { loadApiKeysFile } from './api-keys/api-keys-file';
import { InMemoryApiKeyStore } from './api-keys/in-memory-api-key.store';
import { RedisApiKeyStore } from './api-keys/redis-api-key.store';
import { SafeFetcher } from './egress/safe-fetcher';
import { InMemoryKillSwitchStore } from './governance/in-memory-kill-switch.store';
import { KillSwitchStore } from './governance/kill-switch.store';
import { RedisKillSwitchStore } from './governance/redis-kill-switch.store';
import { AdminRoutes } from './http/admin.routes';
import { ProtectedResourceRoutes } from './http/protected-resource.routes';
import type { SecurityModuleOptions } from './interfaces/security-module-options.interface';
import { PolicyEngine } from './policy/policy-engine';
import { PolicyAuthorizerToken } from './policy/policy-authorizer.token';
import { HtmlSanitizer } from './sanitize/html-sanitizer';
import { SecurityHook } from './security.hook';
import { ConfigurableModuleClass, SECURITY_MODULE_OPTIONS } from './security.module-definition';
import { SecurityService } from './security.service';

/**
 * Identity and access for the app's Rampart servers: OAuth 2.1 bearer tokens (JWTs against a
 * JWKS, or introspected opaque tokens), API keys, `@Scopes()` / `@Roles()` / `@Public()` on
 * primitives (what a caller may not use is hidden from its lists and refused), governance, kill
 * switches and Cedar policies; an SSRF-safe `SafeFetcher` and an `HtmlSanitizer` for tools that
 * fetch and return web content. See docs/security.md and docs/egress.md.
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
  providers: [
    {
      // The store of `apiKeys.store` (memory by default), with the keys of `apiKeys.file`.
      provide: ApiKeyStore,
      inject: [SECURITY_MODULE_OPTIONS],
      useFactory: async (options: SecurityModuleOptions) => {
        const config = options.apiKeys;
        if (!config) return undefined;
        const chosen = config.store ?? 'memory';
        const store =
          chosen === 'memory'
            ? new InMemoryApiKeyStore()
            : 'redis' in chosen
              ? new RedisApiKeyStore(chosen.redis)
              : chosen;
        if (config.file)
          for (const record of await loadApiKeysFile(config.file)) await store.save(record);
        return store;
      },
    },
    {
      provide: ApiKeys,
      inject: [{ token: ApiKeyStore, optional: true }],
      useFactory: (store?: ApiKeyStore) => store && new ApiKeys(store),
    },
    { provide: ApiKeyVerifierToken, useExisting: ApiKeys },
    {
      // Kill switches: this process's memory by default; Redis shares them across replicas.
      provide: KillSwitchStore,
      inject: [SECURITY_MODULE_OPTIONS],
      useFactory: (options: SecurityModuleOptions): KillSwitchStore => {
        const chosen = options.governance?.killSwitch ?? 'memory';
        if (chosen === 'memory') return new InMemoryKillSwitchStore();
        return 'redis' in chosen ? new RedisKillSwitchStore(chosen.redis) : chosen;
      },
    },
    {
      // Cedar, loaded (and its policies parsed) at boot: a broken policy file fails the boot.
      provide: PolicyAuthorizerToken,
      inject: [SECURITY_MODULE_OPTIONS],
      useFactory: (options: SecurityModuleOptions) => {
        if (!options.policy) return undefined;
        const engine = new PolicyEngine(options.policy, new Logger('Security:Policy'));
        engine.load();
        return engine;
      },
    },
    {
      // Outbound HTTP for tools: refuses private and reserved targets (docs/egress.md).
      provide: SafeFetcher,
      inject: [SECURITY_MODULE_OPTIONS],
      useFactory: (options: SecurityModuleOptions) => new SafeFetcher(options.egress),
    },
    {
      provide: HtmlSanitizer,
      inject: [SECURITY_MODULE_OPTIONS],
      useFactory: (options: SecurityModuleOptions) => new HtmlSanitizer(options.sanitize),
    },
    SecurityService,
    SecurityHook,
    ProtectedResourceRoutes,
    AdminRoutes,
  ],
  exports: [SecurityService, ApiKeys, ApiKeyStore, KillSwitchStore, SafeFetcher, HtmlSanitizer],
})
export class SecurityModule extends ConfigurableModuleClass {}
