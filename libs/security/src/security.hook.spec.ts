import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpHttpExchange } from '@rampart/core';
import type { SecurityModuleOptions } from './interfaces/security-module-options.interface';
import { SecurityHook } from './security.hook';
import type { SecurityService } from './security.service';

/** The headers the hook leaves on a response that had `X-Powered-By` set. */
function headersSent(http: SecurityModuleOptions['http']): Map<string, string> {
  const hook = new SecurityHook({ http }, {} as SecurityService);
  const headers = new Map<string, string>([['x-powered-by', 'Express']]);
  const response = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
  };
  hook.onHttpRequest({
    request: { headers: {} } as IncomingMessage,
    response: response as unknown as ServerResponse,
  } as McpHttpExchange);
  return headers;
}

describe('SecurityHook headers', () => {
  it('sends the API profile by default, and never X-Powered-By', () => {
    const sent = headersSent(undefined);
    expect([...sent.keys()].sort()).toEqual([
      'content-security-policy',
      'cross-origin-resource-policy',
      'referrer-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
    ]);
    expect(headersSent({ headers: true })).toEqual(sent);
  });

  it("sends helmet's whole set with headers: 'all'", () => {
    const sent = headersSent({ headers: 'all' });
    expect(sent.size).toBe(12);
    expect(sent.get('x-xss-protection')).toBe('0');
    expect(sent.has('x-powered-by')).toBe(false);
  });

  it('sends none with headers: false, and still removes X-Powered-By', () => {
    expect(headersSent({ headers: false }).size).toBe(0);
  });
});
