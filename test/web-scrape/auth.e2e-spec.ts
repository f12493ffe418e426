import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@rampart/security';
import { mcpTestMatrix, toolError, type McpTestApp } from '@rampart/testing';
import { securityFromEnv } from '../../apps/web-scrape/src/app.module';
import type { LocalIssuer } from '../security/local-issuer';
import { RESOURCE, startAuthenticatedApp, type AuthenticatedApp } from './authenticated-app';
import { ARTICLE_TEXT, type FixtureSite } from './fixture-site';

/** Two service keys in a keys file, as an operator ships them (hashes only). */
function keysFile() {
  const a = generateApiKey();
  const b = generateApiKey();
  const path = join(mkdtempSync(join(tmpdir(), 'web-scrape-keys-')), 'keys.json');
  const record = (k: typeof a, subject: string) => ({
    id: k.id,
    hash: k.hash,
    subject,
    scopes: ['scrape:read'],
    createdAt: new Date().toISOString(),
  });
  writeFileSync(path, JSON.stringify([record(a, 'svc-a'), record(b, 'svc-b')]));
  return { path, a: a.key, b: b.key };
}

describe('web-scrape authentication from the environment', () => {
  it('reads bearer tokens and API keys from AUTH_* and API_KEYS_FILE', () => {
    const file = keysFile().path;
    expect(
      securityFromEnv({
        AUTH_ISSUER: 'https://login.example.com/',
        AUTH_AUDIENCE: RESOURCE,
        AUTH_JWKS_URL: 'https://login.example.com/jwks',
        API_KEYS_FILE: file,
      }),
    ).toEqual({
      resource: RESOURCE,
      jwt: { issuer: 'https://login.example.com/', jwksUrl: 'https://login.example.com/jwks' },
      apiKeys: { file },
    });
    expect(securityFromEnv({})).toBeUndefined();
    expect(() => securityFromEnv({ AUTH_ISSUER: 'https://login.example.com/' })).toThrow(
      /set all of AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL/,
    );
  });
});

describe.each(mcpTestMatrix((s) => s.transport === 'http'))(
  'web-scrape with authentication over %s',
  (_name, setup) => {
    let issuer: LocalIssuer;
    let site: FixtureSite;
    let keys: ReturnType<typeof keysFile>;
    let t: McpTestApp;

    let started: AuthenticatedApp | undefined;

    beforeAll(async () => {
      keys = keysFile();
      started = await startAuthenticatedApp(setup, {
        security: { apiKeys: { file: keys.path } },
        app: {
          // One call per caller per minute: enough to see whose bucket a call takes from.
          rateLimits: [{ name: 'tight', points: 1, perMs: 60_000, key: 'identity' }],
        },
        headers: () => Promise.resolve({ 'x-api-key': keys.a }),
      });
      ({ t, site, issuer } = started);
    });
    afterAll(() => started?.close());

    it('refuses requests without credentials', async () => {
      await expect(t.connect({})).rejects.toThrow(/401|authorization|Unauthorized/);
    });

    it('hides the scraping tools from a token without scrape:read and answers 403 naming the scope', async () => {
      const reader = await t.connect({
        authorization: `Bearer ${await issuer.token({ sub: 'bob' })}`,
      });
      // get_metrics, like the resource it mirrors, is for every authenticated caller.
      // The task status tools stay: they answer only the caller's own tasks.
      expect((await reader.listTools()).tools.map((x) => x.name).sort()).toEqual([
        'cancel_task',
        'get_metrics',
        'get_task_result',
        'get_task_status',
      ]);
      await expect(
        reader.callTool({ name: 'scrape_url', arguments: { url: `${site.url}/article` } }),
      ).rejects.toThrow(/403|scrape:read/);
    });

    it('keeps /metrics behind the admin scope', async () => {
      const metrics = new URL('/metrics', t.url!);
      const anonymous = await fetch(metrics);
      expect(anonymous.status).toBe(401);
      await anonymous.body?.cancel();
      const service = await fetch(metrics, { headers: { 'x-api-key': keys.a } });
      expect(service.status).toBe(403);
      await service.body?.cancel();
      const admin = await fetch(metrics, {
        headers: {
          authorization: `Bearer ${await issuer.token({ sub: 'ops', scope: 'rampart:admin' })}`,
        },
      });
      expect(admin.status).toBe(200);
      expect(await admin.text()).toContain('rampart_');
    });

    it('keys the rate limit on the authenticated subject: one caller cannot spend another’s budget', async () => {
      const first = await t.client.callTool({
        name: 'scrape_url',
        arguments: { url: `${site.url}/article` },
      });
      expect(JSON.stringify(first.content)).toContain(ARTICLE_TEXT.slice(0, 40));
      const again = await t.client.callTool({
        name: 'scrape_url',
        arguments: { url: `${site.url}/article` },
      });
      expect(toolError(again).code).toBe('RATE_LIMITED');
      // Another service, another bucket.
      const other = await t.connect({ 'x-api-key': keys.b });
      const theirs = await other.callTool({
        name: 'scrape_url',
        arguments: { url: `${site.url}/article` },
      });
      expect(theirs.isError).toBeFalsy();
    });
  },
);
