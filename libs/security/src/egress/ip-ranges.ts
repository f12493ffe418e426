import ipaddr from 'ipaddr.js';

/** An IPv4 or IPv6 address, parsed. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** A network and why the fetcher refuses it. */
export interface RefusedRange {
  /** The network, in CIDR notation. */
  readonly cidr: string;
  /** What it is, for the server log. */
  readonly name: string;
}

/**
 * IPv4 networks the fetcher never connects to unless `allow` names them: everything that is not
 * a globally reachable unicast address (RFC 6890 and its updates).
 */
export const REFUSED_IPV4_RANGES: readonly RefusedRange[] = [
  { cidr: '0.0.0.0/8', name: 'this network (unspecified)' },
  { cidr: '10.0.0.0/8', name: 'private' },
  { cidr: '100.64.0.0/10', name: 'carrier-grade NAT' },
  { cidr: '127.0.0.0/8', name: 'loopback' },
  { cidr: '169.254.0.0/16', name: 'link-local (cloud metadata)' },
  { cidr: '172.16.0.0/12', name: 'private' },
  { cidr: '192.0.0.0/24', name: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', name: 'documentation (TEST-NET-1)' },
  { cidr: '192.88.99.0/24', name: '6to4 relay anycast' },
  { cidr: '192.168.0.0/16', name: 'private' },
  { cidr: '198.18.0.0/15', name: 'benchmarking' },
  { cidr: '198.51.100.0/24', name: 'documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', name: 'documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', name: 'multicast' },
  { cidr: '255.255.255.255/32', name: 'broadcast' },
  { cidr: '240.0.0.0/4', name: 'reserved' },
];

/**
 * IPv6 networks refused inside global unicast (2000::/3). Everything outside 2000::/3 is refused
 * too (unspecified, loopback, unique-local fc00::/7, link-local fe80::/10, site-local, multicast
 * ff00::/8, discard-only…), except the forms that embed an IPv4 address, which are judged by that
 * address: see {@link embeddedIPv4}.
 */
export const REFUSED_IPV6_RANGES: readonly RefusedRange[] = [
  { cidr: '2001:2::/48', name: 'benchmarking' },
  { cidr: '2001:10::/28', name: 'ORCHID (deprecated)' },
  { cidr: '2001:20::/28', name: 'ORCHIDv2' },
  { cidr: '2001:db8::/32', name: 'documentation' },
  { cidr: '3fff::/20', name: 'documentation' },
];

/** IPv6 global unicast: the only IPv6 space the fetcher connects to by default. */
export const GLOBAL_UNICAST_IPV6 = '2000::/3';

type Network = [IpAddress, number];

const compile = (ranges: readonly RefusedRange[]) =>
  ranges.map((range) => ({ ...range, network: ipaddr.parseCIDR(range.cidr) as Network }));

const IPV4 = compile(REFUSED_IPV4_RANGES);
const IPV6 = compile(REFUSED_IPV6_RANGES);
const GLOBAL_UNICAST = ipaddr.parseCIDR(GLOBAL_UNICAST_IPV6) as Network;
const net6 = (cidr: string) => ipaddr.IPv6.parseCIDR(cidr) as Network;
const MAPPED = net6('::ffff:0:0/96');
const TRANSLATED = net6('::ffff:0:0:0/96');
const COMPATIBLE = net6('::/96');
const UNSPECIFIED_OR_LOOPBACK = net6('::/127');
const NAT64 = net6('64:ff9b::/96');
const NAT64_LOCAL = net6('64:ff9b:1::/48');
const SIX_TO_FOUR = net6('2002::/16');
const TEREDO = net6('2001::/32');

/** Whether `address` is in `network` (an address never matches a network of the other family). */
export function inNetwork(address: IpAddress, network: Network): boolean {
  return address.kind() === network[0].kind() && address.match(network);
}

const v4 = (bytes: number[]) => new ipaddr.IPv4(bytes);

/**
 * The IPv4 addresses an IPv6 address carries, and the form that carries them: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64
 * (`64:ff9b::/96`, and `64:ff9b:1::/48` with the RFC 6052 layout), 6to4 (`2002::/16`) and Teredo
 * (`2001::/32`: the server and the obfuscated client). `undefined` for other addresses.
 *
 * `only` is true for the forms whose traffic goes to the IPv4 address alone (mapped, translated,
 * compatible, NAT64): they are judged by it only; 6to4 and Teredo addresses are judged as
 * themselves and by what they embed.
 */
export function embeddedIPv4(
  address: ipaddr.IPv6,
): { form: string; addresses: ipaddr.IPv4[]; only: boolean } | undefined {
  const b = address.toByteArray();
  if (inNetwork(address, MAPPED))
    return { form: 'IPv4-mapped', addresses: [v4(b.slice(12))], only: true };
  if (inNetwork(address, TRANSLATED))
    return { form: 'IPv4-translated', addresses: [v4(b.slice(12))], only: true };
  if (inNetwork(address, COMPATIBLE) && !inNetwork(address, UNSPECIFIED_OR_LOOPBACK))
    return { form: 'IPv4-compatible', addresses: [v4(b.slice(12))], only: true };
  if (inNetwork(address, NAT64))
    return { form: 'NAT64 64:ff9b::/96', addresses: [v4(b.slice(12))], only: true };
  if (inNetwork(address, NAT64_LOCAL))
    // RFC 6052 §2.2, /48: the IPv4 address in bits 48–63 and 72–87, around the "u" octet.
    return {
      form: 'NAT64 64:ff9b:1::/48',
      addresses: [v4([b[6], b[7], b[9], b[10]])],
      only: true,
    };
  if (inNetwork(address, SIX_TO_FOUR))
    return { form: '6to4', addresses: [v4(b.slice(2, 6))], only: false };
  if (inNetwork(address, TEREDO))
    return {
      form: 'Teredo',
      addresses: [v4(b.slice(4, 8)), v4(b.slice(12, 16).map((x) => x ^ 0xff))],
      only: false,
    };
  return undefined;
}

/**
 * Why the fetcher refuses `address` by default (the range's name and CIDR), or `undefined` for a
 * globally reachable unicast address. Does not look into embedded IPv4 addresses: see
 * {@link embeddedIPv4}.
 */
export function refusedRangeOf(address: IpAddress): string | undefined {
  if (address.kind() === 'ipv4') {
    const hit = IPV4.find((r) => inNetwork(address, r.network));
    return hit && `${hit.name} (${hit.cidr})`;
  }
  if (!inNetwork(address, GLOBAL_UNICAST)) {
    const range = (address as ipaddr.IPv6).range();
    return `not global unicast: ${range} (outside ${GLOBAL_UNICAST_IPV6})`;
  }
  const hit = IPV6.find((r) => inNetwork(address, r.network));
  return hit && `${hit.name} (${hit.cidr})`;
}

/**
 * Parses an IP address written as the WHATWG URL parser, `dns.lookup()` and the configuration
 * write them: dotted-quad IPv4 (four decimal parts, nothing else) or IPv6, brackets allowed.
 * `undefined` for anything else, including the shorthand IPv4 forms (`127.1`, `0x7f000001`) that
 * `ipaddr.js` would accept: a URL's host in those forms is normalized before it gets here.
 */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (!ipaddr.IPv6.isValid(bare) || bare.includes('%')) return undefined;
  // ipaddr.js reads a dotted tail as IPv4-mapped whatever precedes it (`::1.2.3.4` as
  // `::ffff:102:304`); the URL parser writes it in hex as RFC 4291 means it.
  try {
    return ipaddr.IPv6.parse(
      bare.includes('.') ? new URL(`http://[${bare}]/`).hostname.slice(1, -1) : bare,
    );
  } catch {
    return undefined;
  }
}

/** Parses a CIDR (`10.0.0.0/8`, `fd00::/8`), `undefined` when it is not one. */
export function parseCidr(text: string): Network | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const address = parseIp(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (!address || !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > (address.kind() === 'ipv4' ? 32 : 128)) return undefined;
  return [address, prefix];
}
