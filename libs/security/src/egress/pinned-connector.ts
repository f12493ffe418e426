import { isIP } from 'node:net';
import type { buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy';
import type { EgressResolver, ResolvedAddress } from './egress-resolver';

/** undici's connector: opens one socket for a pool of one origin. */
export type Connector = buildConnector.connector;

/** What {@link createPinnedConnector} needs. */
export interface PinnedConnectorDeps {
  policy: AddressPolicy;
  resolver: EgressResolver;
  /** Opens the socket to the checked address (undici's `buildConnector()` in production). */
  connect: Connector;
  /** Time allowed to resolve the name, in milliseconds. */
  lookupTimeoutMs: number;
  /** The error a refused target fails with; logs the reason. */
  refuse: (host: string, port: number, reason: string) => Error;
}

/**
 * undici's `connect` option for the fetcher's Agent: for every new connection, resolves the
 * origin's host once with the injected resolver, checks every address it answers against the
 * policy, and hands the first address (not the name) to the real connector, with the name kept as
 * the TLS `servername` (SNI and certificate checks). The address checked is the address connected
 * to: no second lookup, so no DNS-rebinding window. A reused keep-alive connection stays on the
 * address it was checked for; a new one is resolved and checked again.
 *
 * A refused name (one address refused is enough), a failed or empty lookup: the callback gets
 * `deps.refuse()`'s error and no socket is opened.
 *
 * @example
 * ```ts
 * const agent = new Agent({ connect: createPinnedConnector({ policy, resolver, connect: buildConnector({}), lookupTimeoutMs: 10_000, refuse }) });
 * ```
 */
export function createPinnedConnector(deps: PinnedConnectorDeps): Connector {
  return (options, callback) => {
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    pin(deps, options.hostname, port).then(
      (address) => {
        const isName = isIP(options.hostname) === 0;
        const checked: buildConnector.Options = {
          ...options,
          hostname: address,
          // The name the certificate must be for; plain HTTP needs none (and undici would then
          // look the name up itself).
          servername:
            options.protocol === 'https:'
              ? options.servername || (isName ? options.hostname : undefined)
              : undefined,
        };
        try {
          deps.connect(checked, callback);
        } catch (error) {
          callback(error as Error, null);
        }
      },
      (error: Error) => callback(error, null),
    );
  };
}

/** The checked address to connect to for `hostname`, or the refusal. */
async function pin(deps: PinnedConnectorDeps, hostname: string, port: number): Promise<string> {
  const refuse = (reason: string) => deps.refuse(hostname, port, reason);
  if (isIP(hostname) !== 0) {
    const reason = deps.policy.check(hostname, hostname);
    if (reason) throw refuse(reason);
    return hostname;
  }
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await withTimeout(deps.resolver.lookup(hostname), deps.lookupTimeoutMs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    throw refuse(`the name did not resolve (${code ?? (error as Error)?.message ?? error})`);
  }
  if (!Array.isArray(addresses) || addresses.length === 0)
    throw refuse('the name resolved to no address');
  for (const { address } of addresses) {
    const reason =
      typeof address === 'string' && isIP(address) !== 0
        ? deps.policy.check(address, hostname)
        : `the resolver answered ${JSON.stringify(address)}, not an IP address`;
    if (reason) throw refuse(`${hostname} resolved to ${address}: ${reason}`);
  }
  return addresses[0].address;
}

/** `promise`, or a rejection after `ms` (the timer does not hold the process open). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(Object.assign(new Error(`lookup timed out after ${ms} ms`), { code: 'ETIMEOUT' })),
      ms,
    );
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
