import { domainToASCII } from 'node:url';
import type ipaddr from 'ipaddr.js';
import {
  embeddedIPv4,
  inNetwork,
  parseCidr,
  parseIp,
  refusedRangeOf,
  type IpAddress,
} from './ip-ranges';

type Network = [IpAddress, number];

/** `allow` / `deny` entries, sorted by kind. */
interface EntryList {
  hosts: Set<string>;
  /** Suffixes of `*.suffix` entries, with their leading dot (`.example.com`). */
  suffixes: string[];
  networks: Network[];
}

/** Host names as they are compared: lower case, punycode, without brackets or a trailing dot. */
export function normalizeHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * Sorts `allow` / `deny` entries: CIDRs (`10.0.0.0/8`), single addresses (`127.0.0.1`,
 * `::1`, `[::1]`), exact host names (`intranet.example.com`) and `*.suffix` patterns (every name
 * under `example.com`, not `example.com` itself). Returns the entries it cannot read in `bad`.
 */
export function parseEntries(entries: readonly string[] = []): {
  list: EntryList;
  bad: string[];
} {
  const list: EntryList = { hosts: new Set(), suffixes: [], networks: [] };
  const bad: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry.trim() === '') {
      bad.push(String(entry));
      continue;
    }
    const text = entry.trim();
    if (text.includes('/')) {
      const network = parseCidr(text);
      if (network) list.networks.push(network);
      else bad.push(entry);
      continue;
    }
    const address = parseIp(text);
    if (address) {
      list.networks.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      continue;
    }
    const wildcard = text.startsWith('*.');
    const name = hostName(wildcard ? text.slice(2) : text);
    if (!name) bad.push(entry);
    else if (wildcard) list.suffixes.push(`.${name}`);
    else list.hosts.add(name);
  }
  return { list, bad };
}

/** A host name in the form the URL parser gives it, or `undefined` when it is not one. */
function hostName(text: string): string | undefined {
  if (!/^[^\s/:@?#[\]\\*]+$/.test(text)) return undefined;
  const ascii = domainToASCII(normalizeHost(text));
  return ascii === '' || parseIp(ascii) ? undefined : ascii;
}

const matchesHost = (list: EntryList, host: string) =>
  list.hosts.has(host) || list.suffixes.some((suffix) => host.endsWith(suffix));

const matchesNetwork = (list: EntryList, address: IpAddress) =>
  list.networks.some((network) => inNetwork(address, network));

/**
 * Decides which hosts and addresses the fetcher may connect to: every globally reachable unicast
 * address; the refused ranges (loopback, private, link-local, CGNAT, unique-local, multicast,
 * documentation, benchmarking, reserved… see `ip-ranges.ts`) only where `allow` names the host or
 * the network; nothing that `deny` names, whatever `allow` says. IPv6 forms that embed an IPv4
 * address (mapped, compatible, NAT64, 6to4, Teredo) are judged by that address too.
 *
 * @example
 * ```ts
 * const policy = new AddressPolicy(['127.0.0.1/32'], ['*.internal.example.com']);
 * policy.check('127.0.0.1', 'localhost'); // undefined: allowed
 * policy.check('10.0.0.5', 'db.example.com'); // 'private (10.0.0.0/8)'
 * ```
 */
export class AddressPolicy {
  private readonly allow: EntryList;
  private readonly deny: EntryList;

  /** Throws nothing: entries that cannot be read are ignored (validate them with {@link parseEntries}). */
  constructor(allow: readonly string[] = [], deny: readonly string[] = []) {
    this.allow = parseEntries(allow).list;
    this.deny = parseEntries(deny).list;
  }

  /** Whether `deny` names the host (exactly or by suffix). */
  deniesHost(host: string): boolean {
    return matchesHost(this.deny, normalizeHost(host));
  }

  /**
   * Why a connection to `address`, for the name `host`, is refused; `undefined` when it is
   * allowed. `host` is the URL's host name (the address itself for an IP literal).
   */
  check(address: string, host: string): string | undefined {
    const ip = parseIp(address);
    if (!ip) return `not an IP address: ${address}`;
    const name = normalizeHost(host);
    if (matchesHost(this.deny, name)) return 'the host is on the deny list';
    const embedded = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6) : undefined;
    const targets: IpAddress[] = embedded?.only
      ? embedded.addresses
      : [ip, ...(embedded?.addresses ?? [])];
    if (matchesNetwork(this.deny, ip) || targets.some((t) => matchesNetwork(this.deny, t)))
      return 'the address is on the deny list';
    if (matchesHost(this.allow, name)) return undefined;
    if (matchesNetwork(this.allow, ip)) return undefined;
    for (const target of targets) {
      const range = refusedRangeOf(target);
      if (range && !matchesNetwork(this.allow, target))
        return target === ip
          ? range
          : `${embedded!.form} address of ${target.toString()}: ${range}`;
    }
    return undefined;
  }
}
