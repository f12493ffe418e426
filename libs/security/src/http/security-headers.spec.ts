import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from './security-headers';

/** What helmet itself sets with `options`, run once on a recording response. */
function helmetSets(options: Parameters<typeof helmet>[0]): Map<string, string> {
  const set = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: unknown) => set.set(name.toLowerCase(), String(value)),
    removeHeader: () => undefined,
  };
  const run = helmet(options) as unknown as (
    req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ) => void;
  run({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return set;
}

const MCP_CSP = {
  useDefaults: false,
  directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
};

/** Headers that only act on a page a browser renders. */
const DOCUMENT_ONLY = [
  'cross-origin-opener-policy',
  'origin-agent-cluster',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

describe('securityHeaders', () => {
  it("('api', the default) are the headers that act on a response that is not a page", () => {
    const recorded = new Map(securityHeaders());
    expect(new Map(securityHeaders('api'))).toEqual(recorded);
    expect(recorded).toEqual(
      new Map([
        ['content-security-policy', "default-src 'none';frame-ancestors 'none'"],
        ['cross-origin-resource-policy', 'same-origin'],
        ['referrer-policy', 'no-referrer'],
        ['strict-transport-security', expect.stringMatching(/^max-age=\d+/)],
        ['x-content-type-options', 'nosniff'],
        ['x-frame-options', 'DENY'],
      ]),
    );
    for (const name of DOCUMENT_ONLY) expect(recorded.has(name)).toBe(false);
  });

  it("('all') are helmet's whole default set, with the strict policy of an MCP endpoint", () => {
    const recorded = securityHeaders('all');
    const helmets = helmetSets({
      contentSecurityPolicy: MCP_CSP,
      xFrameOptions: { action: 'deny' },
    });
    expect(new Map(recorded)).toEqual(helmets);
    for (const name of DOCUMENT_ONLY) expect(helmets.has(name)).toBe(true);
    expect(helmets.get('content-security-policy')).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
  });

  it('are recorded with lower-case names, as Node keeps them', () => {
    for (const profile of ['api', 'all'] as const)
      for (const [name] of securityHeaders(profile)) expect(name).toBe(name.toLowerCase());
  });
});
