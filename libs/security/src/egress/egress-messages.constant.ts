/**
 * The one message of every refused target, whatever the reason (a private or reserved address, a
 * port outside the policy, a name on the deny list, a name that does not resolve): a caller
 * learns nothing about the network behind the server. The reason goes to the server log.
 */
export const EGRESS_REFUSED = () =>
  'The URL is refused: this server fetches only public web addresses on allowed ports.';
export const EGRESS_REFUSED_SUGGESTION = () =>
  'Use an http(s) URL of a public host whose name resolves, on a standard web port';
export const EGRESS_REFUSED_LOG = (target: string, reason: string) =>
  `Egress refused (${target}): ${reason}`;
export const URL_UNPARSABLE = () => 'The URL cannot be parsed as an absolute URL.';
export const URL_SCHEME = (scheme: string) =>
  `Only http and https URLs are fetched, not ${scheme}.`;
export const URL_CREDENTIALS = () =>
  'URLs with credentials (user:password@) are not fetched; remove them from the URL.';
export const TOO_LARGE = (maxBodyBytes: number) =>
  `The response is larger than ${maxBodyBytes} bytes, the most this server reads.`;
export const UNSUPPORTED_CONTENT = (mediaType: string, allowed: readonly string[]) =>
  `The response is ${mediaType === '' ? 'of no declared type' : mediaType}, which this server does not read (it reads ${allowed.join(', ')}).`;
export const TOO_MANY_REDIRECTS = (maxRedirects: number) =>
  `The URL redirected more than ${maxRedirects} times.`;
export const NETWORK_FAILED = (origin: string, reason: string) =>
  `The request to ${origin} failed: ${reason}.`;
export const TIMED_OUT = (totalTimeoutMs: number) =>
  `The fetch did not complete within ${totalTimeoutMs} ms.`;
export const CONNECT_TIMED_OUT = (origin: string, connectTimeoutMs: number) =>
  `The connection to ${origin} was not established within ${connectTimeoutMs} ms.`;
export const INVALID_FETCHER_OPTIONS = (problems: readonly string[]) =>
  `Invalid SafeFetcher options: ${problems.join('; ')}`;
