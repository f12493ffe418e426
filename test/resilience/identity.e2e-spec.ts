import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { MODERN_PROTOCOL_VERSION } from '@rampart/core';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { ResilienceFixtureModule } from './resilience.fixture';

type Era = 'modern' | 'legacy';

describe('a rate limit keyed by identity', () => {
  let t: McpTestApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [ResilienceFixtureModule.register({})],
      transport: 'http',
      // The app's own auth middleware: the caller is whoever the x-user header says.
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
    await t.close();
  });

  /** A new client of its own: a new 2025-11-25 session, or a stateless 2026-07-28 client. */
  async function connect(user: string, era: Era): Promise<Client> {
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

  const call = async (client: Client) => {
    const result = await client.callTool({ name: 'limited', arguments: {} });
    const text = (result.content as { text: string }[])[0].text;
    return result.isError ? (JSON.parse(text) as { code: string }).code : 'ok';
  };

  it('follows the caller across new sessions and protocol eras, and no further', async () => {
    // Two points per minute for each caller (the fixture's burst limit).
    expect(await call(await connect('alice', 'legacy'))).toBe('ok');
    expect(await call(await connect('alice', 'legacy'))).toBe('ok');
    expect(await call(await connect('alice', 'modern'))).toBe('RATE_LIMITED');
    expect(await call(await connect('alice', 'legacy'))).toBe('RATE_LIMITED');
    expect(await call(await connect('bob', 'modern'))).toBe('ok');
  });
});
