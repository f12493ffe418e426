import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
  MCP_BREAKER_STATES,
  MODERN_PROTOCOL_VERSION,
  RampartChannel,
  type McpBreakerStates,
  type ProtocolEra,
  type RetryEvent,
} from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, toolError, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { FIXTURE_EGRESS, FixtureSite } from './fixture-site';

/** `scrape_url`'s breaker opens after this many failures in a row for one host. */
const BREAKER_THRESHOLD = 5;

let site: FixtureSite;
beforeAll(async () => {
  site = await new FixtureSite().start();
});
afterAll(() => site.stop());

describe.each(mcpTestMatrix((s) => s.transport === 'http' && s.adapter === 'express'))(
  "web-scrape: one caller's bad URLs do not open a host's breaker for everyone (%s)",
  (_name, setup) => {
    let t: McpTestApp;
    const clients: Client[] = [];

    beforeAll(async () => {
      t = await createMcpTestApp({
        server: 'web-scrape',
        imports: [AppModule.forRoot({ redisUrl: undefined, egress: FIXTURE_EGRESS })],
        ...setup,
        // The app's own auth: the caller is whoever the x-user header says.
        beforeInit: (app) => {
          app.use(
            (
              req: { headers: Record<string, string>; user?: object },
              _res: unknown,
              next: () => void,
            ) => {
              req.user = { sub: req.headers['x-user'] ?? 'anonymous-user' };
              next();
            },
          );
        },
      });
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await t?.close();
    });

    /** A client of its own, calling as `user`, in the era of this setup. */
    async function connect(user: string, era: ProtocolEra = setup.era ?? 'modern') {
      const client = new Client(
        { name: `client-of-${user}`, version: '1.0.0' },
        era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } } } : {},
      );
      await client.connect(
        new StreamableHTTPClientTransport(t.url!, { requestInit: { headers: { 'x-user': user } } }),
      );
      clients.push(client);
      return client;
    }

    it('answers a URL with credentials as INVALID_URL without fetching or retrying it, and leaves the breaker closed', async () => {
      const mallory = await connect('mallory');
      const alice = await connect('alice');
      const host = new URL(site.url).host;
      const before = site.hits.get('/plain') ?? 0;
      const retries: RetryEvent[] = [];
      const onRetry = (e: unknown) => retries.push(e as RetryEvent);
      subscribe(RampartChannel.retry, onRetry);

      // The fetcher refuses a URL with credentials before any connection: the caller's fault.
      for (let i = 0; i < 2 * BREAKER_THRESHOLD; i++) {
        const refused = toolError(
          await mallory.callTool({
            name: 'scrape_url',
            arguments: { url: `http://x@${host}/plain` },
          }),
        );
        expect(refused).toMatchObject({ code: 'INVALID_URL', retryable: false });
        expect(refused.message).toContain('credentials');
        // The credentials are not echoed back.
        expect(refused.message).not.toContain('x@');
      }
      unsubscribe(RampartChannel.retry, onRetry);
      expect(retries).toEqual([]);
      expect(site.hits.get('/plain') ?? 0).toBe(before);

      const states = t.app.get<McpBreakerStates>(MCP_BREAKER_STATES).snapshot();
      expect(states).toContainEqual(
        expect.objectContaining({ name: 'scrape_url', key: host, state: 'closed' }),
      );
      const served = await alice.callTool({
        name: 'scrape_url',
        arguments: { url: `${site.url}/plain` },
      });
      expect(served.isError).toBeFalsy();
      expect(site.hits.get('/plain')).toBe(before + 1);
    });

    it('refuses arguments nested past the limit before any policy runs, so junk beside a good URL cannot open its breaker', async () => {
      // The attack: Mallory names a real host and adds a member nested 15,000 levels deep, in a
      // request written by hand (as an attacker would). Deep enough, it overflowed the stack of
      // the argument DTO's transformation inside the tool's policies: an unexpected error,
      // counted against that host's breaker for every caller.
      const alice = await connect('alice');
      const host = new URL(site.url).host;
      const levels = 15_000;
      const junk = `${'{"d":'.repeat(levels)}1${'}'.repeat(levels)}`;
      for (let i = 0; i < 2 * BREAKER_THRESHOLD; i++) {
        const res = await fetch(t.url!, {
          method: 'POST',
          headers: {
            'x-user': 'mallory',
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': MODERN_PROTOCOL_VERSION,
            'mcp-method': 'tools/call',
            'mcp-name': 'scrape_url',
          },
          body: `{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"scrape_url","arguments":{"url":"${site.url}/plain","junk":${junk}},"_meta":{"io.modelcontextprotocol/protocolVersion":"${MODERN_PROTOCOL_VERSION}","io.modelcontextprotocol/clientInfo":{"name":"mallory","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}`,
        });
        const body = (await res.json()) as { error?: { code: number; message: string } };
        expect(body.error).toEqual({
          code: -32602,
          message: 'Invalid params: "arguments" nest deeper than 64 levels',
        });
      }
      const states = t.app.get<McpBreakerStates>(MCP_BREAKER_STATES).snapshot();
      expect(states.filter((s) => s.key === host && s.state !== 'closed')).toEqual([]);
      const served = await alice.callTool({
        name: 'scrape_url',
        arguments: { url: `${site.url}/plain` },
      });
      expect(served.isError).toBeFalsy();
    });
  },
);
