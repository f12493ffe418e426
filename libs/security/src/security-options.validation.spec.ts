import { Public, Risk, Scopes } from './decorators/access.decorators';
import { isSecurityDefinitionError } from './errors/security-definition.error';
import type { SecurityModuleOptions } from './interfaces/security-module-options.interface';
import { assertSecurityOptions } from './security-options.validation';

const problem = (options: SecurityModuleOptions) => {
  try {
    assertSecurityOptions(options);
  } catch (error) {
    expect(isSecurityDefinitionError(error)).toBe(true);
    return (error as Error).message;
  }
  return undefined;
};

describe('SecurityModule options', () => {
  it('accepts a complete configuration', () => {
    expect(
      problem({
        resource: 'https://mcp.example.com/mcp',
        jwt: { issuer: 'https://login.example.com/', jwksUrl: 'https://login.example.com/jwks' },
        apiKeys: { header: 'X-Api-Key' },
        governance: { readOnly: true, maxRisk: 'high', disable: [{ tags: ['beta'] }] },
        http: { cors: { origins: ['https://app.example.com'] } },
      }),
    ).toBeUndefined();
  });

  it.each<[string, SecurityModuleOptions, RegExp]>([
    [
      'an HMAC algorithm',
      { resource: 'https://x.test/mcp', jwt: { issuer: 'i', keys: [], algorithms: ['HS256'] } },
      /may not contain "HS256"/,
    ],
    [
      'alg none',
      { resource: 'https://x.test/mcp', jwt: { issuer: 'i', keys: [], algorithms: ['none'] } },
      /may not contain "none"/,
    ],
    [
      'tokens not bound to this server',
      { jwt: { issuer: 'i', jwksUrl: 'https://i.test/jwks' } },
      /needs "resource"/,
    ],
    [
      'both a JWKS and keys',
      { resource: 'https://x.test/mcp', jwt: { issuer: 'i', jwksUrl: 'https://i/j', keys: [] } },
      /exactly one of "jwksUrl" and "keys"/,
    ],
    [
      'a plain-http resource off loopback',
      { resource: 'http://mcp.example.com/mcp' },
      /must be an https URL/,
    ],
    ['a resource that is not a URL', { resource: 'mcp' }, /absolute URL/],
    [
      'a header profile that does not exist',
      { http: { headers: 'strict' as unknown as boolean } },
      /"http.headers" must be true, false or 'all', got "strict"/,
    ],
    [
      'introspection without credentials',
      { introspection: { url: 'https://i.test/introspect', clientId: '', clientSecret: '' } },
      /"clientId" and "clientSecret"/,
    ],
    ['a rule without conditions', { governance: { disable: [{}] } }, /would disable everything/],
    [
      'an unknown risk',
      { governance: { maxRisk: 'extreme' as never } },
      /"governance.maxRisk" must be one of/,
    ],
    [
      'a CORS origin with a path',
      { http: { cors: { origins: ['https://app.example.com/'] } } },
      /not an origin/,
    ],
  ])('refuses %s at boot', (_name, options, message) => {
    expect(problem(options)).toMatch(message);
  });
});

describe('access decorators', () => {
  it('refuse bad values when the class is defined', () => {
    expect(() => {
      class Tools {
        @Scopes('scrape read')
        read() {}
      }
      return Tools;
    }).toThrow(/Invalid @Scopes\(\) on Tools.read: "scrape read" is not a valid value/);
    expect(() => {
      class Tools {
        @Scopes()
        read() {}
      }
      return Tools;
    }).toThrow(/give at least one value/);
    expect(() => {
      class Tools {
        @Risk('extreme' as never)
        pay() {}
      }
      return Tools;
    }).toThrow(/Invalid @Risk\(\) on Tools.pay/);
  });

  it('record their metadata on methods and classes alike', () => {
    @Public()
    class Open {
      @Scopes('a', 'a', 'b')
      read() {}
    }
    expect(Reflect.getMetadata('RAMPART:PUBLIC', Open)).toBe(true);
    const read = Object.getOwnPropertyDescriptor(Open.prototype, 'read')!.value as object;
    expect(Reflect.getMetadata('RAMPART:SCOPES', read)).toEqual(['a', 'b']);
  });
});
