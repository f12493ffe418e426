import type { DynamicModule } from '@nestjs/common';
import { AppModule } from './app.module';

/**
 * The web-scrape server as deployed (docs/deploy): with authentication, and so with
 * `purge_pages`, which an open server leaves out. `rampart.contract.json` and
 * `rampart.tokens.json` are written and checked against it, so that a tool served only to
 * authenticated callers is reviewed like the others. Nothing is contacted: the issuer's keys
 * would be fetched on the first token, and the approval key is one of this process.
 *
 * @example
 * ```sh
 * rampart-contract check --app apps/web-scrape/dist/deployed-app.js#deployedApp --file apps/web-scrape/rampart.contract.json
 * ```
 */
export function deployedApp(): DynamicModule {
  return AppModule.forRoot({
    security: {
      resource: 'https://scrape.example.com/mcp',
      jwt: { issuer: 'https://login.example.com/', jwksUrl: 'https://login.example.com/jwks' },
    },
  });
}
