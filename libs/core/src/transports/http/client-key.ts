import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { McpIdentity } from '../../interfaces/mcp-identity.interface';

/**
 * The client a request counts against for the per-client caps (sessions, listen streams): the
 * identity's subject, else the client address as the adapter reports it (`request.ip`, which
 * honours the adapter's `trust proxy`), else the socket's. IPv6 addresses count by their /64
 * prefix, the block one host usually holds.
 *
 * @example
 * ```ts
 * defaultClientKey(req, expressReq, { subject: 'alice' }); // 'sub:alice'
 * defaultClientKey(req, expressReq, undefined); // 'ip:203.0.113.7'
 * ```
 */
export function defaultClientKey(
  req: IncomingMessage,
  nativeRequest: unknown,
  identity: McpIdentity | undefined,
): string {
  if (identity) return `sub:${identity.subject}`;
  const ip = (nativeRequest as { ip?: unknown } | undefined)?.ip;
  const address = typeof ip === 'string' && ip ? ip : (req.socket?.remoteAddress ?? 'unknown');
  return `ip:${addressKey(address)}`;
}

/**
 * The client an address stands for, when counting per client (caps, rate limits): an IPv4
 * address as is (also when IPv4-mapped), an IPv6 address as its /64 prefix. One host usually
 * holds a whole /64 and can send from any of its 2^64 addresses: counted by address, it would
 * get a fresh budget, and leave a fresh entry behind, with each.
 *
 * @example
 * ```ts
 * addressKey('203.0.113.7'); // '203.0.113.7'
 * addressKey('::ffff:203.0.113.7'); // '203.0.113.7'
 * addressKey('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 * ```
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIP(address) !== 6) return address;
  const [head, tail = ''] = address.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
