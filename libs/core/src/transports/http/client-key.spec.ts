import type { IncomingMessage } from 'node:http';
import { addressKey, defaultClientKey } from './client-key';

describe('defaultClientKey', () => {
  const req = (remoteAddress: string) => ({ socket: { remoteAddress } }) as IncomingMessage;

  it('counts an identified caller by its subject, wherever it connects from', () => {
    expect(defaultClientKey(req('10.0.0.1'), {}, { subject: 'alice' })).toBe('sub:alice');
  });

  it("counts an anonymous caller by the adapter's address (trust proxy), else the socket's", () => {
    expect(defaultClientKey(req('10.0.0.1'), { ip: '203.0.113.7' }, undefined)).toBe(
      'ip:203.0.113.7',
    );
    expect(defaultClientKey(req('::ffff:10.0.0.1'), {}, undefined)).toBe('ip:10.0.0.1');
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses and unwraps IPv4-mapped ones', () => {
    expect(addressKey('127.0.0.2')).toBe('127.0.0.2');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('counts IPv6 addresses by their /64 prefix, however they are written', () => {
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('leaves anything else as it is', () => {
    expect(addressKey('unknown')).toBe('unknown');
  });
});
