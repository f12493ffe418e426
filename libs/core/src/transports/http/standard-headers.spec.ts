import { join } from 'node:path';
import { inWorker } from '../../../../../test/in-worker';
import { checkStandardHeaders, decodeHeaderValue, trimOws } from './standard-headers';

describe('trimOws', () => {
  /** What it replaced: the same result, in time quadratic in a run of white space. */
  const plain = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');

  it('strips spaces and tabs around a value, and nothing else', () => {
    expect(trimOws(' \ttools/call \t')).toBe('tools/call');
    expect(trimOws('a b')).toBe('a b');
    expect(trimOws('\v\u00a0x\u00a0\n')).toBe('\v\u00a0x\u00a0\n');
    expect(trimOws(' \t ')).toBe('');
    // Short strings from the edges' alphabet, the same as the pattern it replaced.
    const alphabet = [' ', '\t', 'a', '\u00a0', '\v', '\n', '/'];
    const differ: string[] = [];
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return (seed >>> 16) % n;
    };
    for (let i = 0; i < 50_000; i++) {
      let value = '';
      for (let length = next(10); length > 0; length--) value += alphabet[next(alphabet.length)];
      if (trimOws(value) !== plain(value)) differ.push(value);
    }
    expect(differ).toEqual([]);
  });

  it('trims a caller-chosen megabyte of inner white space in linear time', async () => {
    // The attack: an Mcp-Method (or Mcp-Name, Mcp-Protocol-Version, Mcp-Param-*) header of `a`,
    // a long run of spaces or tabs, `a`. The plain pattern tried `[ \t]+$` from every position of
    // the run: about 100 ms of the event loop per 16 KB header, before authentication for a GET;
    // a megabyte (a server that raises Node's header limit) took minutes.
    for (const run of [' ', '\t']) {
      const value = `a${run.repeat(1_000_000)}a`;
      const out = await inWorker<string>({
        module: join(__dirname, '../../../dist/transports/http/standard-headers.js'),
        run: '(m, value) => m.trimOws(value)',
        input: ` ${value}\t`,
        deadlineMs: 60_000,
      });
      expect(out).toBe(value);
    }
  }, 150_000);
});

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
