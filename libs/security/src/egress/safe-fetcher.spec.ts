import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { resolve } from 'node:path';
import tls from 'node:tls';
import { isToolError } from '@rampart/core';
import { isSecurityDefinitionError } from '../errors/security-definition.error';
import type { EgressResolver, ResolvedAddress } from './egress-resolver';
import { isEgressRefusedError } from './egress-refused.error';
import { isEgressUrlError } from './egress-url.error';
import { SafeFetcher } from './safe-fetcher';
import type { EgressLogger } from './safe-fetcher-options.interface';

/** Maps names to addresses without DNS; records every lookup. */
class MapResolver implements EgressResolver {
  readonly lookups: string[] = [];
  constructor(private readonly names: Record<string, string[]>) {}

  async lookup(hostname: string): Promise<readonly ResolvedAddress[]> {
    this.lookups.push(hostname);
    const addresses = this.names[hostname];
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: net.isIP(address) }));
  }
}

class MemoryLogger implements EgressLogger {
  readonly lines: string[] = [];
  warn(message: string): void {
    this.lines.push(message);
  }
}

const NAMES: Record<string, string[]> = {
  'loopback.test': ['127.0.0.1'],
  'private.test': ['10.1.2.3'],
  'metadata.test': ['169.254.169.254'],
  'cgnat.test': ['100.64.0.1'],
  'ula.test': ['fd00::1'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'nat64.test': ['64:ff9b::a9fe:a9fe'],
  'mixed.test': ['8.8.8.8', '192.168.0.1'],
  'public.test': ['8.8.8.8'],
};

describe('SafeFetcher', () => {
  // Nothing in this file may open a socket: every URL here is refused before any connection.
  const connections: unknown[] = [];
  beforeEach(() => {
    connections.length = 0;
    const refuse = (...args: unknown[]) => {
      connections.push(args[0]);
      throw new Error('safe-fetcher.spec: a connection was attempted');
    };
    jest.spyOn(net, 'connect').mockImplementation(refuse as never);
    jest.spyOn(net, 'createConnection').mockImplementation(refuse as never);
    jest.spyOn(tls, 'connect').mockImplementation(refuse as never);
  });
  afterEach(() => jest.restoreAllMocks());

  let fetcher: SafeFetcher;
  let resolver: MapResolver;
  let logger: MemoryLogger;
  beforeEach(() => {
    resolver = new MapResolver(NAMES);
    logger = new MemoryLogger();
    fetcher = new SafeFetcher({ resolver, logger, deny: ['denied.test'] });
  });
  afterEach(() => fetcher.close());

  const failure = (url: string) =>
    fetcher.get(url).then(
      () => {
        throw new Error(`${url} was fetched`);
      },
      (e: unknown) => e,
    );

  describe('refuses, without a lookup or a connection, every spelling of a refused address', () => {
    it.each([
      'http://127.0.0.1/',
      'http://127.1/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.0.0.1/',
      'http://017700000001/',
      'http://127.0.0.1./',
      'http://%31%32%37.0.0.1/',
      'http://0/',
      'http://0.0.0.0/',
      'http://10.0.0.1/',
      'http://0300.0250.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[::]/',
      'http://[::ffff:7f00:1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[0:0:0:0:0:ffff:127.0.0.1]/',
      'http://[::127.0.0.1]/',
      'http://[64:ff9b::127.0.0.1]/',
      'http://[64:ff9b:1:7f00:0:100::]/',
      'http://[2002:7f00:1::]/',
      'http://[2001:0:808:808::80ff:fffe]/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://[ff02::1]/',
      'http://[2001:db8::1]/',
      'http://100.64.0.1/',
      'http://192.0.2.1/',
      'http://198.51.100.1/',
      'http://203.0.113.1/',
      'http://198.18.0.1/',
      'http://240.0.0.1/',
      'http://255.255.255.255/',
      'http://224.0.0.1/',
    ])('%s', async (url) => {
      const error = await failure(url);
      expect(isEgressRefusedError(error)).toBe(true);
      expect(resolver.lookups).toEqual([]);
      expect(connections).toEqual([]);
    });
  });

  it.each([
    'loopback.test',
    'private.test',
    'metadata.test',
    'cgnat.test',
    'ula.test',
    'mapped.test',
    'nat64.test',
    'mixed.test',
    'unknown.test',
  ])('refuses %s by what it resolves to, without a connection', async (name) => {
    const error = await failure(`http://${name}/`);
    expect(isEgressRefusedError(error)).toBe(true);
    expect(resolver.lookups).toEqual([name]);
    expect(connections).toEqual([]);
  });

  it('refuses a denied host before resolving it', async () => {
    expect(isEgressRefusedError(await failure('http://DENIED.test./x'))).toBe(true);
    expect(resolver.lookups).toEqual([]);
  });

  it('refuses ports outside the policy, before resolving', async () => {
    for (const url of [
      'http://public.test:22/',
      'https://public.test:6379/',
      'http://public.test:0/',
    ])
      expect(isEgressRefusedError(await failure(url))).toBe(true);
    expect(resolver.lookups).toEqual([]);
    expect(logger.lines).toEqual([
      expect.stringContaining('port 22 is not in the allowed ports'),
      expect.stringContaining('port 6379 is not in the allowed ports'),
      expect.stringContaining('port 0 is not in the allowed ports'),
    ]);
  });

  it('answers every refusal with one error, the reason in the log only', async () => {
    const errors = await Promise.all(
      [
        'http://10.0.0.1/',
        'http://public.test:22/',
        'http://unknown.test/',
        'http://metadata.test/',
        'http://denied.test/',
      ].map(failure),
    );
    const bodies = errors.map((e) => JSON.stringify(e));
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0])).toEqual({
      code: 'EGRESS_REFUSED',
      message:
        'The URL is refused: this server fetches only public web addresses on allowed ports.',
      retryable: false,
      suggestions: [expect.any(String)],
    });
    for (const e of errors) expect((e as Error).cause).toBeUndefined();
    expect(logger.lines.join('\n')).toMatch(/private \(10\.0\.0\.0\/8\)/);
    expect(logger.lines.join('\n')).toMatch(/did not resolve \(ENOTFOUND\)/);
    expect(logger.lines.join('\n')).toMatch(/resolved to 169\.254\.169\.254: link-local/);
  });

  it('makes refusals the caller’s fault: not retryable', async () => {
    const error = await failure('http://10.0.0.1/');
    expect(isToolError(error) && error.fault).toBe('caller');
    expect(isToolError(error) && error.retryable).toBe(false);
  });

  describe('refuses URLs it will not use, with what is wrong', () => {
    it.each([
      ['not a url', /cannot be parsed/],
      ['/relative/path', /cannot be parsed/],
      ['ftp://example.com/', /not ftp:/],
      ['file:///etc/passwd', /not file:/],
      ['javascript:alert(1)', /not javascript:/],
      ['data:text/html,<script>alert(1)</script>', /not data:/],
      ['gopher://127.0.0.1:6379/_', /not gopher:/],
      ['http://user:secret@public.test/', /credentials/],
      ['http://user@public.test/', /credentials/],
    ])('%s', async (url, message) => {
      const error = await failure(url);
      expect(isEgressUrlError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('secret');
      expect(isToolError(error) && error.fault).toBe('caller');
      expect(resolver.lookups).toEqual([]);
    });
  });

  it('refuses a body on a GET', async () => {
    await expect(
      fetcher.fetch('http://public.test/', { method: 'GET', body: 'x' }),
    ).rejects.toThrow(TypeError);
  });

  it('refuses per-call limits that are not limits', async () => {
    await expect(fetcher.get('http://public.test/', { maxBodyBytes: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(fetcher.get('http://public.test/', { maxRedirects: -1 })).rejects.toThrow(
      RangeError,
    );
  });

  it('fails at construction on options that cannot work, naming each', () => {
    let error: unknown;
    try {
      new SafeFetcher({
        allow: ['10.0.0.0/40', 'http://x'],
        ports: [0],
        maxBodyBytes: -1,
        contentTypes: ['html'],
      });
    } catch (e) {
      error = e;
    }
    expect(isSecurityDefinitionError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('"allow" holds "10.0.0.0/40"');
    expect(message).toContain('"allow" holds "http://x"');
    expect(message).toContain('"ports"');
    expect(message).toContain('"maxBodyBytes"');
    expect(message).toContain('"contentTypes"');
  });

  it('is built with defaults when nothing is given', () => {
    expect(() => new SafeFetcher()).not.toThrow();
  });

  it('takes every form of media range', () => {
    expect(
      () => new SafeFetcher({ contentTypes: ['text/html', 'text/*', '*/*+json', '*/*'] }),
    ).not.toThrow();
    expect(() => new SafeFetcher({ contentTypes: ['*/json'] })).toThrow(/"contentTypes"/);
  });
});

describe('@rampart/security on import', () => {
  it('loads neither undici nor sanitize-html until a fetcher fetches or a sanitizer sanitizes', () => {
    const index = JSON.stringify(resolve(__dirname, '../../dist/index.js'));
    const loaded = execFileSync(process.execPath, [
      '-e',
      `const s = require(${index}); new s.SafeFetcher(); new s.HtmlSanitizer(); console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules\\/(undici|sanitize-html)\\//.test(f)).length))`,
    ]).toString();
    expect(loaded.trim()).toBe('0');
  });
});
