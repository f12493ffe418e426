import { lookup } from 'node:dns/promises';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  /** The address, as `dns.lookup()` writes it (`93.184.215.14`, `2606:2800:21f:cb07:6820:80da:af6b:8b2c`). */
  address: string;
  /** 4 or 6. */
  family: number;
}

/**
 * Resolves the host names the fetcher connects to. The fetcher checks every address it answers
 * and connects to the first, so the address checked is the address connected to. Inject one to
 * use another DNS, or in tests to map names to addresses without DNS.
 *
 * @example
 * ```ts
 * class StaticResolver implements EgressResolver {
 *   async lookup(hostname: string) {
 *     return hostname === 'fixture.test' ? [{ address: '127.0.0.1', family: 4 }] : [];
 *   }
 * }
 * new SafeFetcher({ resolver: new StaticResolver(), allow: ['fixture.test'] });
 * ```
 */
export interface EgressResolver {
  /**
   * The addresses of `hostname`, in the order to try them. An empty answer or a rejection makes
   * the fetch fail as a refused target.
   */
  lookup(hostname: string): Promise<readonly ResolvedAddress[]>;
}

/**
 * The system's resolver, as Node's `net.connect()` uses it: `dns.lookup()` (getaddrinfo, which
 * reads `/etc/hosts`), every address, in the order the system gives them.
 */
export class SystemResolver implements EgressResolver {
  async lookup(hostname: string): Promise<readonly ResolvedAddress[]> {
    return lookup(hostname, { all: true, order: 'verbatim' });
  }
}
