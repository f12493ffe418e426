import type { SecurityModuleOptions } from '@rampart/security';
import { createMcpTestApp, type McpTestApp, type McpTestSetup } from '@rampart/testing';
import { AppModule, type WebScrapeOptions } from '../../apps/web-scrape/src/app.module';
import { LocalIssuer } from '../security/local-issuer';
import { FIXTURE_EGRESS, FixtureSite } from './fixture-site';

/** The protected resource the app's tokens are for. */
export const RESOURCE = 'https://mcp.test/mcp';

/** The web-scrape app behind bearer tokens, with what it needs around it. */
export interface AuthenticatedApp {
  /** The app; its first client sends the `headers` it was started with. */
  t: McpTestApp;
  /** The local JWKS issuer of the app's tokens, on 127.0.0.1. */
  issuer: LocalIssuer;
  /** The site the app scrapes, on 127.0.0.1. */
  site: FixtureSite;
  /** Closes the app, the site and the issuer. */
  close(): Promise<void>;
}

/**
 * The web-scrape app (in-memory stores, the fixture site's egress) authenticating bearer tokens
 * of a local JWKS issuer for {@link RESOURCE}, in `setup`. `headers` are its first client's;
 * `app` and `security` add to the app's options. Nothing is left running when it throws.
 */
export async function startAuthenticatedApp(
  setup: McpTestSetup,
  options: {
    headers: (issuer: LocalIssuer) => Promise<Record<string, string>>;
    app?: Omit<WebScrapeOptions, 'security'>;
    security?: Partial<SecurityModuleOptions>;
  },
): Promise<AuthenticatedApp> {
  const issuer = await LocalIssuer.start();
  const site = await new FixtureSite().start().catch(async (error: unknown) => {
    await issuer.close();
    throw error;
  });
  try {
    const t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [
        AppModule.forRoot({
          redisUrl: undefined,
          egress: FIXTURE_EGRESS,
          audit: { sink: 'log' },
          logLevel: 'error',
          ...options.app,
          security: {
            resource: RESOURCE,
            jwt: { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl },
            ...options.security,
          },
        }),
      ],
      ...setup,
      headers: await options.headers(issuer),
    });
    return {
      t,
      issuer,
      site,
      close: async () => {
        await t.close();
        await site.stop();
        await issuer.close();
      },
    };
  } catch (error) {
    await site.stop();
    await issuer.close();
    throw error;
  }
}
