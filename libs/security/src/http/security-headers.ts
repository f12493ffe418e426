import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A header name and its value, as `response.setHeader` takes them. */
export type HeaderLine = readonly [name: string, value: string];

/**
 * Which security headers an MCP response carries: `'api'`, those that act on a response that is
 * not a page; `'all'`, helmet's whole default set.
 */
export type SecurityHeadersProfile = 'api' | 'all';

/**
 * helmet's headers that only act on a document a browser renders (a page, a window, the links in
 * it, a download it opens, a plug-in), so not on JSON or an event stream, after the OWASP REST
 * Security Cheat Sheet ("Security Headers"): `Cross-Origin-Opener-Policy` (windows),
 * `Origin-Agent-Cluster` (documents), `X-DNS-Prefetch-Control` (links of a page),
 * `X-Download-Options` (downloads opened by IE 8), `X-Permitted-Cross-Domain-Policies` (Flash
 * and Acrobat), `X-XSS-Protection` (the auditor of old browsers, which helmet only turns off).
 */
const DOCUMENT_ONLY = {
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} as const;

/**
 * The security headers of an MCP response, as helmet sets them, recorded once at boot. An MCP
 * endpoint answers JSON and event streams, never pages, so the strictest content security policy
 * fits: `default-src 'none'; frame-ancestors 'none'`, without helmet's defaults for pages
 * (`script-src 'self'` and the like would only loosen it).
 *
 * `'api'` (the default) sends what acts on such a response: that policy, `Strict-Transport-Security`,
 * `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for browsers without
 * `frame-ancestors`), `Cross-Origin-Resource-Policy: same-origin` (no cross-origin reads without
 * CORS) and `Referrer-Policy: no-referrer`. `'all'` adds helmet's six headers for documents
 * ({@link DOCUMENT_ONLY}), for a scanner that asks for them; each costs a header write per
 * response and nothing else.
 *
 * helmet is a chain of a dozen middlewares that compute the same values on every request: none
 * of them reads the request, and this policy has no per-request directive. Replaying the
 * recording sets exactly helmet's headers without running the chain on the call path; helmet
 * still decides what they are.
 *
 * @example
 * ```ts
 * const headers = securityHeaders();
 * for (const [name, value] of headers) response.setHeader(name, value);
 * ```
 */
export function securityHeaders(profile: SecurityHeadersProfile = 'api'): readonly HeaderLine[] {
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    // What `frame-ancestors 'none'` says, for browsers that only read this header.
    xFrameOptions: { action: 'deny' },
    ...(profile === 'api' && DOCUMENT_ONLY),
  }) as unknown as (
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ) => void;
  const headers: HeaderLine[] = [];
  const recorder = {
    // Lower case, as Node keeps names: `setHeader` then has no new name to make per request.
    setHeader(name: string, value: unknown) {
      headers.push([name.toLowerCase(), String(value)]);
    },
    // Its `hidePoweredBy`: the hook removes `X-Powered-By` from every response itself.
    removeHeader() {},
  };
  let finished = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    if (error) throw error;
    finished = true;
  });
  // helmet calls `next` synchronously; one that did not would leave the list incomplete.
  if (!finished) throw new Error('helmet did not finish synchronously: no security headers');
  return headers;
}
