import { checkStandardHeaders, decodeHeaderValue } from './standard-headers';

describe('decodeHeaderValue', () => {
  it('decodes the =?base64?…?= sentinel and takes anything else literally', () => {
    expect(decodeHeaderValue('=?base64?SGVsbG8=?=')).toBe('Hello');
    expect(decodeHeaderValue('=?base64?w6lsw6h2ZQ==?=')).toBe('élève');
    expect(decodeHeaderValue('SGVsbG8=')).toBe('SGVsbG8=');
    expect(decodeHeaderValue('=?base64?SGVsbG8=')).toBe('=?base64?SGVsbG8=');
  });

  it('refuses a sentinel around non-canonical Base64 or bytes that are not UTF-8', () => {
    expect(decodeHeaderValue('=?base64?SGVsbG8?=')).toBeUndefined();
    expect(decodeHeaderValue('=?base64?SGVs!!!bG8=?=')).toBeUndefined();
    expect(decodeHeaderValue('=?base64?/w==?=')).toBeUndefined();
  });
});

describe('checkStandardHeaders', () => {
  const all = { protocolVersion: '2026-07-28', method: 'tools/call', name: 'echo' };
  const call = { name: 'echo', arguments: {} };

  it('accepts headers that mirror the body', () => {
    expect(checkStandardHeaders(all, 'tools/call', call)).toBeUndefined();
    expect(
      checkStandardHeaders(
        { ...all, method: 'resources/read', name: 'file:///a' },
        'resources/read',
        {
          uri: 'file:///a',
        },
      ),
    ).toBeUndefined();
    expect(
      checkStandardHeaders(
        { protocolVersion: '2026-07-28', method: 'tools/list' },
        'tools/list',
        {},
      ),
    ).toBeUndefined();
  });

  it('requires MCP-Protocol-Version and Mcp-Method', () => {
    expect(
      checkStandardHeaders({ ...all, protocolVersion: undefined }, 'tools/call', call),
    ).toMatch(/MCP-Protocol-Version header is absent/);
    expect(checkStandardHeaders({ ...all, method: undefined }, 'tools/call', call)).toMatch(
      /Mcp-Method header is absent/,
    );
  });

  it('requires Mcp-Name when the body names a tool, prompt or resource, and compares it', () => {
    expect(checkStandardHeaders({ ...all, name: undefined }, 'tools/call', call)).toMatch(
      /Mcp-Name header is absent/,
    );
    expect(checkStandardHeaders({ ...all, name: 'other' }, 'tools/call', call)).toMatch(
      /Mcp-Name header names "other"/,
    );
    expect(
      checkStandardHeaders({ ...all, name: '=?base64?ZWNobw==?=' }, 'tools/call', call),
    ).toBeUndefined();
    expect(checkStandardHeaders({ ...all, name: '=?base64?ZWNobw?=' }, 'tools/call', call)).toMatch(
      /invalid Base64/,
    );
  });
});
