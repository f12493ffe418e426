import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { isAuthenticationFailure } from './authentication-failure';
import { Authenticator } from './authenticator';
import { JwtVerifier } from './jwt-verifier';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'https://mcp.test/mcp';

describe('Authenticator (bearer JWTs remembered after their first verification)', () => {
  let privateKey: CryptoKey;
  let verifier: JwtVerifier;
  let now: number;
  let authenticator: Authenticator;
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
  const authenticate = (authorization: string) => authenticator.authenticate({ authorization });
  const failureOf = async (authorization: string) => {
    try {
      await authenticate(authorization);
    } catch (error) {
      return error;
    }
    throw new Error('authenticated');
  };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
    verifier = new JwtVerifier({ issuer: ISSUER, keys: [jwk] }, AUDIENCE);
  });
  beforeEach(() => {
    now = Date.now();
    authenticator = new Authenticator(verifier, undefined, undefined, 'x-api-key', () => now);
  });

  it('verifies a token once, then answers its header synchronously with the same identity', async () => {
    const verify = jest.spyOn(verifier, 'verify');
    const header = `Bearer ${await sign({ sub: 'alice' })}`;
    const first = await authenticate(header);
    const again = authenticate(header);
    expect(again).toBe(first);
    expect(again).toMatchObject({ subject: 'alice' });
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockRestore();
  });

  it("refuses a forged token that ends with a remembered token's signature", async () => {
    // The attack: alice's token is remembered; mallory copies its signature (the end of the
    // header, which keys the remembered tokens) onto a payload that names her as admin.
    const alice = await sign({ sub: 'alice' });
    expect(await authenticate(`Bearer ${alice}`)).toMatchObject({ subject: 'alice' });
    const [header, , signature] = alice.split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'mallory', roles: ['admin'], iss: ISSUER, aud: AUDIENCE }),
    ).toString('base64url');
    const forged = `Bearer ${header}.${payload}.${signature}`;
    expect(forged.slice(-64)).toBe(`Bearer ${alice}`.slice(-64));

    const error = await failureOf(forged);
    expect(isAuthenticationFailure(error)).toBe(true);
    // Alice's own token is still remembered and still hers.
    expect(authenticate(`Bearer ${alice}`)).toMatchObject({ subject: 'alice' });
  });

  it('verifies a remembered token again once its memory is over', async () => {
    const verify = jest.spyOn(verifier, 'verify');
    const header = `Bearer ${await sign({ sub: 'alice' })}`;
    await authenticate(header);
    now += 5 * 60_000 + 1;
    expect(await authenticate(header)).toMatchObject({ subject: 'alice' });
    expect(verify).toHaveBeenCalledTimes(2);
    verify.mockRestore();
  });
});
