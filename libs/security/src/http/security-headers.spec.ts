import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it('are the headers helmet sets on a response, with the strict policy of an MCP endpoint', () => {
    const set = new Map<string, string>();
    const response = {
      setHeader: (name: string, value: unknown) => set.set(name.toLowerCase(), String(value)),
      removeHeader: () => undefined,
    };
    const run = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
    }) as unknown as (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
    run({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);

    const recorded = securityHeaders();
    expect(new Map(recorded)).toEqual(set);
    for (const [name] of recorded) expect(name).toBe(name.toLowerCase());
    expect(set.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(set.get('x-content-type-options')).toBe('nosniff');
    expect(set.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  });
});
