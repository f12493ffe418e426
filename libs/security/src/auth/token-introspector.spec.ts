import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenIntrospector } from './token-introspector';

/** An RFC 7662 endpoint on 127.0.0.1 that knows some tokens and records what it was sent. */
async function introspectionServer(tokens: Record<string, Record<string, unknown>>) {
  const state = { calls: 0, down: false, authorization: '', bodies: [] as string[] };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      state.calls++;
      state.authorization = req.headers.authorization ?? '';
      state.bodies.push(body);
      if (state.down) return res.writeHead(502).end();
      const token = new URLSearchParams(body).get('token') ?? '';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(tokens[token] ?? { active: false }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

describe('TokenIntrospector', () => {
  const now = Math.floor(Date.now() / 1000);
  const tokens = {
    'opaque-alice': {
      active: true,
      sub: 'alice',
      scope: 'a b',
      exp: now + 600,
      aud: 'https://mcp.test/mcp',
    },
    'opaque-other-aud': { active: true, sub: 'bob', exp: now + 600, aud: 'https://other.test' },
    'opaque-expired': { active: true, sub: 'carol', exp: now - 10 },
  };
  let server: Awaited<ReturnType<typeof introspectionServer>>;
  beforeEach(async () => (server = await introspectionServer(tokens)));
  afterEach(() => server.close());
  const introspector = (clock = Date.now) =>
    new TokenIntrospector(
      { url: server.url, clientId: 'mcp-server', clientSecret: 's3cret', cacheTtlMs: 30_000 },
      'https://mcp.test/mcp',
      clock,
    );

  it('resolves an active token to its identity, authenticating as this server', async () => {
    const { identity } = await introspector().verify('opaque-alice');
    expect(identity).toMatchObject({
      subject: 'alice',
      scopes: ['a', 'b'],
      proof: 'introspection',
    });
    expect(server.state.authorization).toBe(
      `Basic ${Buffer.from('mcp-server:s3cret').toString('base64')}`,
    );
    expect(new URLSearchParams(server.state.bodies[0]).get('token_type_hint')).toBe('access_token');
  });

  it('caches answers for a while, active or not, then asks again', async () => {
    let clock = Date.now();
    const i = introspector(() => clock);
    await i.verify('opaque-alice');
    await i.verify('opaque-alice');
    await expect(i.verify('unknown')).rejects.toMatchObject({ reason: 'inactive' });
    await expect(i.verify('unknown')).rejects.toMatchObject({ reason: 'inactive' });
    expect(server.state.calls).toBe(2);
    clock += 31_000;
    await i.verify('opaque-alice');
    expect(server.state.calls).toBe(3);
  });

  it('keeps the active tokens when a stream of unknown ones arrives', async () => {
    // The attack: anyone sends bearer tokens the server does not know. With one cache for every
    // answer, 10,000 of them pushed alice's active token out, and her next request went to the
    // authorization server again (so did everyone's).
    const i = introspector();
    await i.verify('opaque-alice');
    for (let n = 0; n < 10_050; n++)
      await expect(i.verify(`junk-${n}`)).rejects.toMatchObject({ reason: 'inactive' });
    const calls = server.state.calls;
    expect((await i.verify('opaque-alice')).identity.subject).toBe('alice');
    expect(server.state.calls).toBe(calls);
  }, 60_000);

  it('refuses tokens for another resource and expired ones', async () => {
    const i = introspector();
    await expect(i.verify('opaque-other-aud')).rejects.toMatchObject({ reason: 'wrong-audience' });
    await expect(i.verify('opaque-expired')).rejects.toMatchObject({ reason: 'expired' });
  });

  it('answers "issuer unavailable" when the endpoint fails, and does not cache that', async () => {
    server.state.down = true;
    const i = introspector();
    await expect(i.verify('opaque-alice')).rejects.toMatchObject({
      reason: 'issuer-unavailable',
      retryAfterMs: 5_000,
    });
    server.state.down = false;
    expect((await i.verify('opaque-alice')).identity.subject).toBe('alice');
  });
});
