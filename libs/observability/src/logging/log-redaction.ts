import { DEFAULT_CENSOR } from '../observability.constants';

/**
 * Field names whose values are hidden in every log line, at the top of the line's object or one
 * level down (`{ token }`, `{ user: { api_key } }`), and as query parameters of a logged URL.
 * Matched exactly (case-sensitive), so `tokenCount` stays.
 */
export const DEFAULT_LOG_REDACT_FIELDS: readonly string[] = [
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'api_key',
  'apiKey',
  'apikey',
  'x-api-key',
  'authorization',
  'cookie',
  'password',
  'client_secret',
  'clientSecret',
];

/**
 * Paths hidden in every log line (pino `redact` syntax): the credential headers of pino-http's
 * request lines and `Set-Cookie` of its response lines. Paths without wildcards cost nothing on
 * lines that do not have them.
 */
export const DEFAULT_LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

const isPlainObject = (value: object): value is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * pino's `formatters.log`: a copy of the line's object with the values of `fields` hidden at its
 * top level and one level down (plain objects only: a request or an error is left to its
 * serializer and the `redact` paths). The object itself is never changed; without a match it is
 * returned as is.
 *
 * @example
 * ```ts
 * pino({ formatters: { log: redactFields(new Set(DEFAULT_LOG_REDACT_FIELDS)) } });
 * ```
 */
export function redactFields(
  fields: ReadonlySet<string>,
  censor = DEFAULT_CENSOR,
): (object: Record<string, unknown>) => Record<string, unknown> {
  return (object) => {
    let out: Record<string, unknown> | undefined;
    for (const key in object) {
      if (fields.has(key)) {
        (out ??= { ...object })[key] = censor;
        continue;
      }
      const value = object[key];
      if (value === null || typeof value !== 'object' || !isPlainObject(value)) continue;
      let inner: Record<string, unknown> | undefined;
      for (const k in value) if (fields.has(k)) (inner ??= { ...value })[k] = censor;
      if (inner) (out ??= { ...object })[key] = inner;
    }
    return out ?? object;
  };
}

/**
 * `url` with the values of its query parameters named in `fields` hidden
 * (`/metrics?access_token=…` → `/metrics?access_token=[REDACTED]`).
 *
 * @example
 * ```ts
 * redactQuery('/cb?code=1&access_token=abc', new Set(['access_token'])); // '/cb?code=1&access_token=[REDACTED]'
 * ```
 */
export function redactQuery(url: string, fields: ReadonlySet<string>, censor = DEFAULT_CENSOR) {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const raw = eq < 0 ? pair : pair.slice(0, eq);
      let name = raw;
      try {
        name = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: matched as written.
      }
      return fields.has(name) ? `${raw}=${censor}` : pair;
    });
  return `${url.slice(0, q + 1)}${pairs.join('&')}`;
}

/** The pino `redact` paths of a parsed query object (`req.query`) for `fields`. */
export const queryPaths = (fields: Iterable<string>): string[] =>
  [...fields].map((f) => `req.query[${JSON.stringify(f)}]`);
