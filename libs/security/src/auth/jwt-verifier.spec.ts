import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';
import { isAuthenticationFailure } from './authentication-failure';
import { JwtVerifier } from './jwt-verifier';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'https://mcp.test/mcp';

type Pair = Awaited<ReturnType<typeof generateKeyPair>>;

async function sign(key: Pair, kid: string | undefined, claims: Record<string, unknown> = {}) {
  return new SignJWT({ sub: 'alice', ...claims })
    .setProtectedHeader({ alg: 'RS256', ...(kid && { kid }) })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

/** A JWKS endpoint on 127.0.0.1 that counts its requests and can stop answering. */
async function jwksServer(keys: () => JWK[]) {
  const state = { fetches: 0, hang: false };
  const server: Server = createServer((_req, res) => {
    state.fetches++;
    if (state.hang) return;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: keys() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

describe('JwtVerifier', () => {
  let k1: Pair;
  let k2: Pair;
  beforeAll(async () => {
    k1 = await generateKeyPair('RS256', { extractable: true });
    k2 = await generateKeyPair('RS256', { extractable: true });
  });
  const jwk = async (key: Pair, kid: string) => ({
    ...(await exportJWK(key.publicKey)),
    kid,
    alg: 'RS256',
  });

  it('reads the identity from the claims: subject, tenant, scopes, roles', async () => {
    const verifier = new JwtVerifier({ issuer: ISSUER, keys: [await jwk(k1, 'a')] }, AUDIENCE);
    const { identity, expiresAtMs } = await verifier.verify(
      await sign(k1, 'a', { tid: 'acme', scp: ['a', 'b'], roles: 'admin ops' }),
    );
    expect(identity).toMatchObject({
      subject: 'alice',
      tenant: 'acme',
      scopes: ['a', 'b'],
      roles: ['admin', 'ops'],
      proof: 'jwt',
    });
    expect(expiresAtMs).toBeGreaterThan(Date.now());
  });

  it('verifies with static PEM keys as with JWKs', async () => {
    const verifier = new JwtVerifier(
      { issuer: ISSUER, keys: [await exportSPKI(k2.publicKey)] },
      AUDIENCE,
    );
    await verifier.ready();
    expect((await verifier.verify(await sign(k2, undefined))).identity.subject).toBe('alice');
    await expect(verifier.verify(await sign(k1, undefined))).rejects.toMatchObject({
      reason: 'bad-signature',
    });
  });

  it('reports an unusable static key at boot', async () => {
    const verifier = new JwtVerifier(
      { issuer: ISSUER, keys: ['-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----'] },
      AUDIENCE,
    );
    await expect(verifier.ready()).rejects.toThrow(/not an SPKI PEM public key/);
  });

  it('refuses a token without exp: every token must expire', async () => {
    const verifier = new JwtVerifier({ issuer: ISSUER, keys: [await jwk(k1, 'a')] }, AUDIENCE);
    const forever = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'RS256', kid: 'a' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(k1.privateKey);
    await expect(verifier.verify(forever)).rejects.toMatchObject({ reason: 'invalid-claims' });
  });

  it('refetches the JWKS for an unknown kid at most once per cooldown: a flood of made-up kids costs one fetch', async () => {
    let published = [await jwk(k1, 'a')];
    const jwks = await jwksServer(() => published);
    try {
      const verifier = new JwtVerifier(
        { issuer: ISSUER, jwksUrl: jwks.url, jwksCooldownMs: 60_000 },
        AUDIENCE,
      );
      await verifier.verify(await sign(k1, 'a'));
      expect(jwks.state.fetches).toBe(1);
      const forged = await Promise.all([...Array(20)].map((_, i) => sign(k2, `made-up-${i}`)));
      const outcomes = await Promise.allSettled(forged.map((t) => verifier.verify(t)));
      expect(
        outcomes.every((o) => o.status === 'rejected' && isAuthenticationFailure(o.reason)),
      ).toBe(true);
      expect(jwks.state.fetches).toBe(1);
      // A real rotation within the cooldown is picked up after it: the key is not known yet.
      published = [...published, await jwk(k2, 'b')];
      await expect(verifier.verify(await sign(k2, 'b'))).rejects.toMatchObject({
        reason: 'unknown-key',
      });
    } finally {
      await jwks.close();
    }
  });

  it('answers "issuer unavailable" with a retry delay when the JWKS does not answer in time', async () => {
    const jwks = await jwksServer(() => []);
    jwks.state.hang = true;
    try {
      const verifier = new JwtVerifier(
        { issuer: ISSUER, jwksUrl: jwks.url, jwksTimeoutMs: 200, jwksCooldownMs: 7_000 },
        AUDIENCE,
      );
      await expect(verifier.verify(await sign(k1, 'a'))).rejects.toMatchObject({
        reason: 'issuer-unavailable',
        retryAfterMs: 7_000,
      });
    } finally {
      await jwks.close();
    }
  });

  it('answers "issuer unavailable" when the JWKS endpoint is gone', async () => {
    const jwks = await jwksServer(() => []);
    const url = jwks.url;
    await jwks.close();
    const verifier = new JwtVerifier({ issuer: ISSUER, jwksUrl: url }, AUDIENCE);
    await expect(verifier.verify(await sign(k1, 'a'))).rejects.toMatchObject({
      reason: 'issuer-unavailable',
    });
  });
});
