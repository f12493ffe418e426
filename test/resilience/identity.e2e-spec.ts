import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { MODERN_PROTOCOL_VERSION } from '@rampart/core';
import { IDEMPOTENCY_META_KEY } from '@rampart/resilience';
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
      // The app's own auth middleware: the caller is whoever the x-user (and x-tenant) headers say.
      beforeInit: (app) => {
        app.use(
          (
            req: { headers: Record<string, string>; user?: object },
            _res: unknown,
            next: () => void,
          ) => {
            req.user = {
              sub: req.headers['x-user'] ?? 'anonymous-user',
              ...(req.headers['x-tenant'] && { tenant: req.headers['x-tenant'] }),
            };
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
  async function connect(user: string, era: Era, tenant?: string): Promise<Client> {
    const client = new Client(
      { name: `client-of-${user}`, version: '1.0.0' },
      era === 'modern' ? { versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } } } : {},
    );
    await client.connect(
      new StreamableHTTPClientTransport(t.url!, {
        requestInit: { headers: { 'x-user': user, ...(tenant && { 'x-tenant': tenant }) } },
      }),
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

  it("never replays one tenant's idempotent result to the same subject of another tenant", async () => {
    const charge = async (client: Client, amount: number) => {
      const result = await client.callTool({
        name: 'charge',
        arguments: { amount },
        _meta: { [IDEMPOTENCY_META_KEY]: 'invoice-7' },
      });
      return JSON.parse((result.content as { text: string }[])[0].text) as {
        charged?: number;
        run?: number;
        code?: string;
      };
    };
    const first = await charge(await connect('alice', 'modern', 't1'), 5);
    expect(first).toMatchObject({ charged: 5 });
    // The attack: alice of tenant t2 (another tenant's user with the same subject) sends the key
    // alice of t1 used, with the same arguments, to be handed t1's stored result.
    const other = await charge(await connect('alice', 'modern', 't2'), 5);
    expect(other).toEqual({ charged: 5, run: first.run! + 1 });
    // Nor is t1's key another tenant's to refuse: other arguments under it run as that caller's own.
    expect(await charge(await connect('alice', 'legacy', 't3'), 9)).toEqual({
      charged: 9,
      run: first.run! + 2,
    });
    // t1's own duplicate still replays t1's result, on any session or era.
    expect(await charge(await connect('alice', 'legacy', 't1'), 5)).toEqual(first);
  });
});
