import { parseEntries } from './address-policy';
import type { SafeFetcherOptions } from './safe-fetcher-options.interface';

const isPositiveInteger = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;
const MEDIA_RANGE = /^(\*\/\*(\+[a-z0-9.-]+)?|[a-z0-9!#$&^_.+-]+\/(\*|[a-z0-9!#$&^_.+-]+))$/;

/**
 * The problems of a fetcher's options, one sentence each (none when they can work): entries of
 * `allow` / `deny` that are neither a host, a `*.suffix`, an address nor a CIDR, ports that are
 * not ports, limits that are not positive integers, media ranges that are not `type/subtype`.
 */
export function safeFetcherOptionProblems(options: SafeFetcherOptions): string[] {
  const problems: string[] = [];
  for (const key of ['allow', 'deny'] as const) {
    const entries = options[key];
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) {
      problems.push(`"${key}" must be an array of hosts, *.suffixes, addresses or CIDRs`);
      continue;
    }
    for (const bad of parseEntries(entries).bad)
      problems.push(
        `"${key}" holds ${JSON.stringify(bad)}, which is neither a host name, a *.suffix, an IP address nor a CIDR`,
      );
  }
  const ports = options.ports;
  if (
    ports !== undefined &&
    ports !== 'any' &&
    !(
      Array.isArray(ports) &&
      ports.length > 0 &&
      ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65_535)
    )
  )
    problems.push('"ports" must be "any" or a non-empty array of ports (1 to 65535)');
  const maxRedirects = options.maxRedirects;
  if (maxRedirects !== undefined && !(Number.isSafeInteger(maxRedirects) && maxRedirects >= 0))
    problems.push('"maxRedirects" must be an integer ≥ 0');
  for (const key of [
    'maxBodyBytes',
    'connectTimeoutMs',
    'totalTimeoutMs',
    'keepAliveTimeoutMs',
    'connectionsPerOrigin',
  ] as const)
    if (options[key] !== undefined && !isPositiveInteger(options[key]))
      problems.push(`"${key}" must be a positive integer`);
  const types = options.contentTypes;
  if (
    types !== undefined &&
    !(Array.isArray(types) && types.length > 0 && types.every((t) => MEDIA_RANGE.test(t)))
  )
    problems.push(
      '"contentTypes" must be a non-empty array of lower-case media types (text/html, text/*, */*+json, */*)',
    );
  if (options.resolver !== undefined && typeof options.resolver?.lookup !== 'function')
    problems.push('"resolver" must have a lookup(hostname) method');
  if (options.logger !== undefined && typeof options.logger?.warn !== 'function')
    problems.push('"logger" must have a warn(message) method');
  if (
    options.headers !== undefined &&
    (typeof options.headers !== 'object' ||
      options.headers === null ||
      Object.values(options.headers).some((v) => typeof v !== 'string'))
  )
    problems.push('"headers" must map header names to strings');
  return problems;
}
