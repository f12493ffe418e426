import type { LoggingOptions } from '@rampart/observability';
import pino from 'pino';
import { InvalidSettingError } from './invalid-setting.error';

/** The settings of the web-scrape app, read from its environment and command line. */
export interface WebScrapeSettings {
  /** `--stdio`: serve on stdin/stdout instead of HTTP. */
  stdio: boolean;
  /** `PORT`: TCP port of the HTTP endpoint, `0` for a free one. Default `3000`. */
  port: number;
  /** `HOST`: address the HTTP endpoint listens on. Default `127.0.0.1` (this machine only). */
  host: string;
  /**
   * `OPS_PORT`: TCP port of the operational endpoints (`/health/live`, `/health/ready`,
   * `/metrics`, `/slo`), served there without authentication and no longer on `PORT`, for
   * probes and scrapers that cannot send a token; `0` for a free one. Unset: they are served on
   * `PORT`, behind the admin scope when authentication is on.
   */
  opsPort?: number;
  /** `LOG_LEVEL`: lowest level of the log lines. Default `info`. */
  logLevel: NonNullable<LoggingOptions['level']>;
  /** `REDIS_URL`: Redis shared by the replicas; in memory when unset. */
  redisUrl?: string;
  /** `DATABASE_URL`: PostgreSQL for the audit trail; the log when unset. */
  databaseUrl?: string;
}

/** Default TCP port of the HTTP endpoint. */
export const DEFAULT_PORT = 3000;
/** Default listen address: loopback, so that only this machine reaches the server. */
export const DEFAULT_HOST = '127.0.0.1';

/** The values `LOG_LEVEL` accepts: pino's levels, and `silent`. */
export const LOG_LEVELS = [...Object.keys(pino.levels.values), 'silent'] as readonly string[];

/**
 * Reads and checks the app's settings. A bad one throws an {@link InvalidSettingError} whose
 * message says, in one line, what is wrong and what to do, before anything starts.
 *
 * @example
 * ```ts
 * const settings = readSettings(process.env, process.argv.slice(2));
 * await app.listen(settings.port, settings.host);
 * ```
 */
export function readSettings(
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): WebScrapeSettings {
  const unknown = args.find((a) => a !== '--stdio');
  if (unknown !== undefined)
    throw new InvalidSettingError(
      'arguments',
      `unknown argument ${JSON.stringify(unknown)}: the only one is --stdio (serve on stdin/stdout)`,
    );
  const httpPort = port('PORT', env.PORT) ?? DEFAULT_PORT;
  const opsPort = port('OPS_PORT', env.OPS_PORT);
  if (opsPort !== undefined && opsPort !== 0 && opsPort === httpPort)
    throw new InvalidSettingError(
      'OPS_PORT',
      `OPS_PORT=${opsPort} is PORT too: give the operational endpoints a port of their own (e.g. 9464), or leave OPS_PORT unset to serve them on PORT`,
    );
  return {
    stdio: args.includes('--stdio'),
    port: httpPort,
    host: host(env.HOST),
    opsPort,
    logLevel: logLevel(env.LOG_LEVEL),
    redisUrl: url('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
    databaseUrl: url(
      'DATABASE_URL',
      env.DATABASE_URL,
      ['postgres:', 'postgresql:'],
      'postgres://user@127.0.0.1:5432/db',
    ),
  };
}

function port(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,5}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65_535))
    throw new InvalidSettingError(
      name,
      `${name}=${JSON.stringify(value)} is not a port number: use an integer from 0 to 65535 (0 picks a free port)`,
    );
  return n;
}

function host(value: string | undefined): string {
  if (value === undefined) return DEFAULT_HOST;
  const trimmed = value.trim();
  if (!trimmed || /\s|\//.test(trimmed))
    throw new InvalidSettingError(
      'HOST',
      `HOST=${JSON.stringify(value)} is not an address to listen on: use e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`,
    );
  return trimmed.replace(/^\[(.*)\]$/, '$1');
}

function logLevel(value: string | undefined): WebScrapeSettings['logLevel'] {
  if (value === undefined) return 'info';
  if (!LOG_LEVELS.includes(value))
    throw new InvalidSettingError(
      'LOG_LEVEL',
      `LOG_LEVEL=${JSON.stringify(value)} is not a log level: use one of ${LOG_LEVELS.join(', ')}`,
    );
  return value as WebScrapeSettings['logLevel'];
}

function url(
  name: string,
  value: string | undefined,
  protocols: readonly string[],
  example: string,
): string | undefined {
  if (value === undefined || value === '') return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !protocols.includes(parsed.protocol))
    throw new InvalidSettingError(
      name,
      `${name}=${JSON.stringify(withoutPassword(value))} is not a ${protocols
        .map((p) => `${p}//`)
        .join(' or ')} URL: use e.g. ${example}, or leave it unset`,
    );
  return value;
}

/** The URL as given, its password (if any) masked: the line goes to a terminal or a log. */
const withoutPassword = (value: string): string => value.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
