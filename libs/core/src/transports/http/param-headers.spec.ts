import { checkParamHeaders, paramHeadersOf } from './param-headers';

const schema = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    limit: { type: 'integer', 'x-mcp-header': 'Limit' },
    nested: {
      type: 'object',
      properties: { tenant: { type: 'string', 'x-mcp-header': 'Tenant' } },
    },
    list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Ignored' } },
    plain: { type: 'string' },
  },
};

describe('x-mcp-header parameters', () => {
  const declared = paramHeadersOf(schema);

  it('finds the declarations reachable through properties only', () => {
    expect(declared.map((d) => [d.path.join('.'), d.header, d.type])).toEqual([
      ['region', 'mcp-param-region', 'string'],
      ['limit', 'mcp-param-limit', 'integer'],
      ['nested.tenant', 'mcp-param-tenant', 'string'],
    ]);
  });

  it('accepts headers equal to the arguments, literal or Base64, numbers compared as numbers', () => {
    expect(
      checkParamHeaders(
        declared,
        { region: 'Hello', limit: 42, nested: { tenant: 'acme' } },
        {
          'mcp-param-region': '=?base64?SGVsbG8=?=',
          'mcp-param-limit': '42.0',
          'mcp-param-tenant': 'acme',
        },
      ),
    ).toBeUndefined();
  });

  it('expects no header for an argument that is absent or null', () => {
    expect(checkParamHeaders(declared, { region: null }, {})).toBeUndefined();
  });

  it('rejects a missing, undecodable or different header', () => {
    expect(checkParamHeaders(declared, { region: 'eu' }, {})).toMatch(
      /Mcp-Param-Region header is absent/,
    );
    expect(
      checkParamHeaders(declared, { region: 'eu' }, { 'mcp-param-region': '=?base64?ZX!=?=' }),
    ).toMatch(/invalid Base64/);
    expect(checkParamHeaders(declared, { region: 'eu' }, { 'mcp-param-region': 'us' })).toMatch(
      /decodes to "us" but the body carries arguments.region="eu"/,
    );
  });
});
