import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

type Key = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * An OAuth authorization server for tests: RSA keys made by jose and a JWKS served on
 * 127.0.0.1, which a test can rotate, take down or count requests to.
 */
export class LocalIssuer {
  readonly issuer = 'https://issuer.test/';
  private server?: Server;
  private keys: { kid: string; key: Key }[] = [];
  /** JWKS requests served. */
  fetches = 0;
  /** `down`: the endpoint answers 500; `hang`: it never answers. */
  mode: 'up' | 'down' | 'hang' = 'up';

  static async start(): Promise<LocalIssuer> {
    const issuer = new LocalIssuer();
    await issuer.rotate();
    issuer.server = createServer(async (_req, res) => {
      issuer.fetches++;
      if (issuer.mode === 'hang') return;
      if (issuer.mode === 'down') return res.writeHead(500).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: await issuer.publicJwks() }));
    });
    await new Promise<void>((resolve) => issuer.server!.listen(0, '127.0.0.1', resolve));
    return issuer;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/jwks.json`;
  }

  /** Adds a new signing key (the JWKS serves every key made so far). */
  async rotate(): Promise<string> {
    const kid = `k${this.keys.length + 1}`;
    this.keys.push({ kid, key: await generateKeyPair('RS256', { extractable: true }) });
    return kid;
  }

  async publicJwks(): Promise<JWK[]> {
    return Promise.all(
      this.keys.map(async ({ kid, key }) => ({
        ...(await exportJWK(key.publicKey)),
        kid,
        alg: 'RS256',
        use: 'sig',
      })),
    );
  }

  /** The SPKI PEM of the current key, as an attacker would read it from the JWKS. */
  async publicPem(): Promise<string> {
    return exportSPKI(this.keys.at(-1)!.key.publicKey);
  }

  /** A token signed with the current key (or `kid`'s), with sensible defaults. */
  async token(
    claims: JWTPayload & { scope?: string; roles?: string[] },
    options: {
      kid?: string;
      key?: Key;
      expiresIn?: string | number;
      audience?: string;
      issuer?: string;
    } = {},
  ): Promise<string> {
    const signer = options.kid ? this.keys.find((k) => k.kid === options.kid)! : this.keys.at(-1)!;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: signer.kid })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? 'https://mcp.test/mcp')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign((options.key ?? signer.key).privateKey);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
