import { AddressPolicy, normalizeHost, parseEntries } from './address-policy';

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();
  const refused = (address: string) => policy.check(address, address);

  it.each([
    ['0.0.0.0', 'this network'],
    ['0.1.2.3', 'this network'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.170', 'IETF protocol assignments'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ])('refuses the IPv4 address %s (%s)', (address, name) => {
    expect(refused(address)).toContain(name);
  });

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['febf:ffff::1', 'linkLocal'],
    ['fec0::1', 'not global unicast'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['100::1', 'not global unicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:db8:ffff::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['2001:10::1', 'ORCHID'],
    ['2001:20::1', 'ORCHIDv2'],
  ])('refuses the IPv6 address %s (%s)', (address, name) => {
    expect(refused(address)).toContain(name);
  });

  it.each([
    ['::ffff:127.0.0.1', 'IPv4-mapped', 'loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped', 'loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped', 'link-local'],
    ['::ffff:0:10.0.0.1', 'IPv4-translated', 'private'],
    ['::127.0.0.1', 'IPv4-compatible', 'loopback'],
    ['::c0a8:101', 'IPv4-compatible', 'private'],
    ['64:ff9b::7f00:1', 'NAT64 64:ff9b::/96', 'loopback'],
    ['64:ff9b::10.1.2.3', 'NAT64 64:ff9b::/96', 'private'],
    // RFC 6052 /48 layout: 169.254.169.254 is a9fe (bits 48–63), u octet, a9fe (bits 72–87).
    ['64:ff9b:1:a9fe:a9:fe00::', 'NAT64 64:ff9b:1::/48', 'link-local'],
    ['2002:7f00:1::', '6to4', 'loopback'],
    ['2002:c0a8:101::1', '6to4', 'private'],
    // Teredo: server 10.0.0.1, client 8.8.8.8 (obfuscated: f7f7:f7f7).
    ['2001:0:a00:1::f7f7:f7f7', 'Teredo', 'private'],
    // Teredo: server 8.8.8.8, client 127.0.0.1 (obfuscated: 80ff:fffe).
    ['2001:0:808:808::80ff:fffe', 'Teredo', 'loopback'],
  ])('judges %s by its embedded IPv4 address (%s)', (address, form, name) => {
    const reason = refused(address);
    expect(reason).toContain(form);
    expect(reason).toContain(name);
  });

  it.each([
    '8.8.8.8',
    '93.184.215.14',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
    '2001:0:808:808::f7f7:f7f7',
  ])('allows the public address %s', (address) => {
    expect(refused(address)).toBeUndefined();
  });

  it('refuses what is not an IP address', () => {
    expect(policy.check('localhost', 'localhost')).toMatch(/not an IP address/);
    expect(policy.check('127.1', 'x')).toMatch(/not an IP address/);
  });

  describe('allow', () => {
    it('opens a network, and only that network', () => {
      const p = new AddressPolicy(['127.0.0.1/32', '10.1.0.0/16']);
      expect(p.check('127.0.0.1', 'a')).toBeUndefined();
      expect(p.check('10.1.2.3', 'a')).toBeUndefined();
      expect(p.check('127.0.0.2', 'a')).toContain('loopback');
      expect(p.check('10.2.0.1', 'a')).toContain('private');
      expect(p.check('::1', 'a')).toContain('loopback');
    });

    it('takes single addresses, bracketed IPv6 included', () => {
      const p = new AddressPolicy(['127.0.0.1', '[::1]']);
      expect(p.check('127.0.0.1', 'a')).toBeUndefined();
      expect(p.check('::1', 'a')).toBeUndefined();
    });

    it('applies to the IPv4 address an IPv6 form carries', () => {
      const p = new AddressPolicy(['127.0.0.1/32']);
      expect(p.check('::ffff:127.0.0.1', 'a')).toBeUndefined();
      expect(p.check('::ffff:127.0.0.2', 'a')).toContain('loopback');
    });

    it('opens whatever a named host resolves to, for that name only', () => {
      const p = new AddressPolicy(['wiki.intranet.example', '*.svc.example']);
      expect(p.check('10.0.0.5', 'wiki.intranet.example')).toBeUndefined();
      expect(p.check('10.0.0.5', 'WIKI.intranet.example.')).toBeUndefined();
      expect(p.check('10.0.0.6', 'api.svc.example')).toBeUndefined();
      expect(p.check('10.0.0.6', 'a.b.svc.example')).toBeUndefined();
      expect(p.check('10.0.0.6', 'svc.example')).toContain('private');
      expect(p.check('10.0.0.5', 'other.example')).toContain('private');
      expect(p.check('10.0.0.5', 'evilsvc.example')).toContain('private');
    });
  });

  describe('deny', () => {
    it('wins over allow, for hosts and networks', () => {
      const p = new AddressPolicy(
        ['127.0.0.0/8', '*.example.com'],
        ['127.0.0.2', 'admin.example.com', '8.8.4.0/24'],
      );
      expect(p.check('127.0.0.1', 'x')).toBeUndefined();
      expect(p.check('127.0.0.2', 'x')).toContain('deny list');
      expect(p.check('127.0.0.1', 'admin.example.com')).toContain('deny list');
      expect(p.check('8.8.4.4', 'dns.google')).toContain('deny list');
      expect(p.check('8.8.8.8', 'dns.google')).toBeUndefined();
      expect(p.deniesHost('ADMIN.example.com.')).toBe(true);
      expect(p.deniesHost('www.example.com')).toBe(false);
    });

    it('catches a denied IPv4 address inside an IPv6 form', () => {
      const p = new AddressPolicy([], ['8.8.8.8']);
      expect(p.check('::ffff:8.8.8.8', 'x')).toContain('deny list');
      expect(p.check('2002:808:808::1', 'x')).toContain('deny list');
    });
  });
});

describe('parseEntries', () => {
  it('sorts hosts, suffixes, addresses and CIDRs', () => {
    const { list, bad } = parseEntries([
      'Example.COM',
      '*.svc.example',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'bücher.example',
    ]);
    expect(bad).toEqual([]);
    expect([...list.hosts]).toEqual(['example.com', 'xn--bcher-kva.example']);
    expect(list.suffixes).toEqual(['.svc.example']);
    expect(list.networks).toHaveLength(3);
  });

  it.each([
    '',
    '10.0.0.0/33',
    '10.0.0/8',
    'fd00::/129',
    'http://example.com',
    'example.com:8080',
    '*example.com',
    'a b',
    'user@example.com',
    '127.1',
  ])('refuses %j', (entry) => {
    expect(parseEntries([entry]).bad).toEqual([entry]);
  });
});

describe('normalizeHost', () => {
  it('lowers case, drops brackets and a trailing dot', () => {
    expect(normalizeHost('[::1]')).toBe('::1');
    expect(normalizeHost('Example.COM.')).toBe('example.com');
  });
});
