import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A header name and its value, as `response.setHeader` takes them. */
export type HeaderLine = readonly [name: string, value: string];

/**
 * The security headers of an MCP response, as helmet sets them, recorded once at boot. An MCP
 * endpoint answers JSON and event streams, never pages, so the strictest content security policy
 * fits: `default-src 'none'; frame-ancestors 'none'`, without helmet's defaults for pages
 * (`script-src 'self'` and the like would only loosen it).
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
export function securityHeaders(): readonly HeaderLine[] {
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
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
