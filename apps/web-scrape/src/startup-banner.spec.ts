import { describeEgress } from './app.module';
import { endpointUrl, startupBanner } from './startup-banner';

describe('endpointUrl', () => {
  it.each([
    ['127.0.0.1', 'http://127.0.0.1:3000/mcp'],
    ['localhost', 'http://localhost:3000/mcp'],
    ['::1', 'http://[::1]:3000/mcp'],
    ['0.0.0.0', 'http://127.0.0.1:3000/mcp'],
    ['::', 'http://127.0.0.1:3000/mcp'],
  ])('on %s is %s', (host, url) => {
    expect(endpointUrl(host, 3000, '/mcp')).toBe(url);
  });
});

describe('startupBanner', () => {
  const input = {
    host: '127.0.0.1',
    port: 4100,
    path: '/mcp',
    nodePath: '/opt/node/bin/node',
    mainPath: '/srv/app/dist/main.js',
    gracePeriodMs: 10_000,
  };

  /** The JSON objects printed as blocks: a line `{`, lines, a line `}`. */
  const blocks = (text: string) =>
    [...text.matchAll(/^\{\n[\s\S]*?\n\}$/gm)].map((m) => JSON.parse(m[0]) as unknown);

  it('says where it listens, gives an HTTP and a stdio client configuration and how to stop', () => {
    const banner = startupBanner(input);
    expect(banner.split('\n')[0]).toBe('web-scrape is listening on http://127.0.0.1:4100/mcp');
    expect(blocks(banner)).toEqual([
      { mcpServers: { 'web-scrape': { type: 'http', url: 'http://127.0.0.1:4100/mcp' } } },
      {
        mcpServers: {
          'web-scrape': {
            command: '/opt/node/bin/node',
            args: ['/srv/app/dist/main.js', '--stdio'],
          },
        },
      },
    ]);
    expect(banner).toMatch(/^Ctrl-C stops it; calls in flight get up to 10 s to finish\.$/m);
  });

  it('says in one line what the scraper may fetch from', () => {
    const banner = startupBanner({
      ...input,
      authentication: 'Authentication: none',
      egress: describeEgress({ allow: ['127.0.0.1/32'], ports: 'any' }),
    });
    expect(banner.split('\n').slice(0, 3)).toEqual([
      'web-scrape is listening on http://127.0.0.1:4100/mcp',
      'Authentication: none',
      'Egress: public addresses plus 127.0.0.1/32, on any port',
    ]);
    expect(describeEgress({})).toBe(
      'Egress: public addresses only (EGRESS_ALLOW names exceptions), on ports 80, 443, 8080, 8443',
    );
  });

  it('names every interface, and gives a URL this machine can connect to', () => {
    const banner = startupBanner({ ...input, host: '0.0.0.0' });
    expect(banner.split('\n')[0]).toBe(
      'web-scrape is listening on every interface, port 4100; from this machine: http://127.0.0.1:4100/mcp',
    );
  });
});
