import type { LoggingOptions } from '@rampart/observability';
import { MIN_SECRET_BYTES, ResourceLinkSigner, type ResourceLinkKey } from '@rampart/resources';
import { DEFAULT_EGRESS_PORTS, SafeFetcher } from '@rampart/security';
import { ApprovalSigner, MIN_APPROVAL_SECRET_BYTES, type ApprovalKey } from '@rampart/tasks';
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
  /**
   * `EGRESS_ALLOW`: hosts, `*.suffixes`, addresses and CIDRs that `scrape_url` may fetch from
   * although they are not public (loopback, private networks, link-local...), comma-separated.
   * Default: none, so every loopback and private target is refused.
   */
  egressAllow: string[];
  /**
   * `EGRESS_PORTS`: ports `scrape_url` connects to, comma-separated, or `any`. Default 80, 443,
   * 8080 and 8443.
   */
  egressPorts: readonly number[] | 'any';
  /**
   * `RESOURCE_LINK_KEYS`: the keys that sign the links of offloaded pages, as comma-separated
   * `id:secret` pairs, the signing key first; every replica needs the same. Unset: a random key
   * per process (links die with it and do not read on another replica).
   */
  resourceLinkKeys?: ResourceLinkKey[];
  /**
   * `APPROVAL_KEYS`: the keys that sign the approvals of `purge_pages` calls, as comma-separated
   * `kid:secret` pairs, the signing key first, each secret 32 bytes or more; every replica needs
   * the same. Unset: a random key per process (fine for one replica: an approval asked on one
   * replica does not verify on another).
   */
  approvalKeys?: ApprovalKey[];
  /**
   * `APPROVER_SCOPE`: the scope that lets someone (another identity of the caller's tenant)
   * approve a `purge_pages` call. Default `pages:approve`; never `pages:purge`, the callers'.
   */
  approverScope: string;
  /**
   * `APPROVALS_WEBHOOK_URL`: an http(s) URL POSTed a notice (JSON, never the arguments) for each
   * approval asked for, e.g. a chat's incoming webhook. Operator configuration, trusted: not
   * subject to `EGRESS_ALLOW`, which governs what callers make the scraper fetch. Unset: nobody
   * is told; approvers list the pending approvals on `/rampart/approvals`.
   */
  approvalsWebhookUrl?: string;
  /**
   * `CATALOG`: the example catalogue server at `/catalog/mcp` (360 read-only tools):
   * `progressive` (default) lists three meta-tools that search, describe and call it, `list`
   * lists every tool, `off` leaves the server out. Never served on stdio.
   */
  catalog: CatalogMode;
  /**
   * `SCRAPE_CACHE_TTL_MS`: how long a `scrape_url` answer is served from the result cache to the
   * same arguments (per caller when authentication is on), in milliseconds; `0` turns the cache
   * off. Default 30000.
   */
  scrapeCacheTtlMs: number;
}

/** Default of `APPROVER_SCOPE`: who approves a `purge_pages` call. */
export const DEFAULT_APPROVER_SCOPE = 'pages:approve';
/** The scope a caller needs to call `purge_pages` (its approvers need `APPROVER_SCOPE`). */
export const PURGE_SCOPE = 'pages:purge';

/** Default of `SCRAPE_CACHE_TTL_MS`: 30 seconds. */
export const DEFAULT_SCRAPE_CACHE_TTL_MS = 30_000;

/** How the catalogue server is served: see {@link WebScrapeSettings.catalog}. */
export type CatalogMode = 'progressive' | 'list' | 'off';

/** The values `CATALOG` accepts. */
export const CATALOG_MODES: readonly CatalogMode[] = ['progressive', 'list', 'off'];

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
    ...readEgress(env),
    resourceLinkKeys: readResourceLinkKeys(env),
    ...readApprovals(env),
    catalog: catalogMode(env.CATALOG),
    scrapeCacheTtlMs: readScrapeCacheTtl(env),
  };
}

/**
 * `SCRAPE_CACHE_TTL_MS`: milliseconds a `scrape_url` answer is cached, `0` for none; 30000 when
 * unset. Throws an {@link InvalidSettingError} for anything else.
 *
 * @example
 * ```ts
 * readScrapeCacheTtl({ SCRAPE_CACHE_TTL_MS: '5000' }); // 5000
 * ```
 */
export function readScrapeCacheTtl(env: NodeJS.ProcessEnv): number {
  const value = env.SCRAPE_CACHE_TTL_MS;
  if (value === undefined || value.trim() === '') return DEFAULT_SCRAPE_CACHE_TTL_MS;
  const n = /^\d{1,10}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n > 86_400_000)
    throw new InvalidSettingError(
      'SCRAPE_CACHE_TTL_MS',
      `SCRAPE_CACHE_TTL_MS=${JSON.stringify(value)} is not a duration: use milliseconds from 0 (no cache) to 86400000 (a day), e.g. 30000`,
    );
  return n;
}

function catalogMode(value: string | undefined): CatalogMode {
  if (value === undefined || value === '') return 'progressive';
  if (!CATALOG_MODES.includes(value as CatalogMode))
    throw new InvalidSettingError(
      'CATALOG',
      `CATALOG=${JSON.stringify(value)} is not a catalogue mode: use one of ${CATALOG_MODES.join(', ')}`,
    );
  return value as CatalogMode;
}

/**
 * `EGRESS_ALLOW` and `EGRESS_PORTS`: what `scrape_url` may reach beyond public addresses, and on
 * which ports. Throws an {@link InvalidSettingError} for an entry the fetcher cannot read.
 *
 * @example
 * ```ts
 * readEgress({ EGRESS_ALLOW: '127.0.0.1, wiki.intranet.example', EGRESS_PORTS: 'any' });
 * // { egressAllow: ['127.0.0.1', 'wiki.intranet.example'], egressPorts: 'any' }
 * ```
 */
export function readEgress(
  env: NodeJS.ProcessEnv,
): Pick<WebScrapeSettings, 'egressAllow' | 'egressPorts'> {
  return { egressAllow: egressAllow(env.EGRESS_ALLOW), egressPorts: egressPorts(env.EGRESS_PORTS) };
}

function egressAllow(value: string | undefined): string[] {
  const entries = list(value);
  for (const entry of entries) {
    try {
      // The fetcher's own check of an entry: what it accepts is what the app accepts.
      new SafeFetcher({ allow: [entry] });
    } catch {
      throw new InvalidSettingError(
        'EGRESS_ALLOW',
        `EGRESS_ALLOW=${JSON.stringify(value)} holds ${JSON.stringify(entry)}, which is neither a host name, a *.suffix, an IP address nor a CIDR: use a comma-separated list such as 127.0.0.1,10.20.0.0/16,wiki.intranet.example`,
      );
    }
  }
  return entries;
}

function egressPorts(value: string | undefined): readonly number[] | 'any' {
  if (value === undefined || value.trim() === '') return DEFAULT_EGRESS_PORTS;
  if (value.trim().toLowerCase() === 'any') return 'any';
  const ports = list(value).map((p) => (/^\d{1,5}$/.test(p) ? Number(p) : NaN));
  if (ports.length === 0 || !ports.every((p) => p >= 1 && p <= 65_535))
    throw new InvalidSettingError(
      'EGRESS_PORTS',
      `EGRESS_PORTS=${JSON.stringify(value)} is not a list of ports: use comma-separated ports from 1 to 65535 (e.g. 80,443,8080), or any`,
    );
  return [...new Set(ports)];
}

/**
 * `RESOURCE_LINK_KEYS`: `id:secret` pairs, comma-separated, the signing key first; `undefined`
 * when unset. Throws an {@link InvalidSettingError} that never repeats a secret.
 *
 * @example
 * ```ts
 * readResourceLinkKeys({ RESOURCE_LINK_KEYS: `k2:${newSecret},k1:${oldSecret}` });
 * // [{ id: 'k2', secret: newSecret }, { id: 'k1', secret: oldSecret }]
 * ```
 */
export function readResourceLinkKeys(env: NodeJS.ProcessEnv): ResourceLinkKey[] | undefined {
  return readKeyPairs('RESOURCE_LINK_KEYS', env.RESOURCE_LINK_KEYS, {
    idLabel: 'id',
    idPattern: KEY_ID,
    idRange: '1 to 32',
    example: 'k1',
    minBytes: MIN_SECRET_BYTES,
    // The resources lib's own check, should it ask more than the above.
    check: (pairs) => new ResourceLinkSigner(pairs),
    unusable: 'cannot sign links',
  });
}

/** How {@link readKeyPairs} reads one setting of signing keys. */
interface KeyPairsSpec {
  /** What the pairs call a key's name: `id` or `kid`. */
  idLabel: string;
  idPattern: RegExp;
  /** `idPattern`'s length range, in words, for messages. */
  idRange: string;
  /** A key name to show in messages. */
  example: string;
  minBytes: number;
  /** The owning library's own check of the keys: throws when it cannot use them. */
  check: (pairs: { id: string; secret: string }[]) => unknown;
  /** What cannot be done with keys `check` refuses, for the message. */
  unusable: string;
}

/**
 * `name`: `<id>:<secret>` pairs, comma-separated, the signing key first; `undefined` when unset.
 * Throws an {@link InvalidSettingError} that never repeats a secret: an entry that may hold one
 * is named by its position only.
 */
function readKeyPairs(
  name: string,
  value: string | undefined,
  spec: KeyPairsSpec,
): { id: string; secret: string }[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const { idLabel, minBytes } = spec;
  const refuse = (problem: string) => new InvalidSettingError(name, `${name} ${problem}`);
  const keys = value.split(',').map((pair, index) => {
    const at = pair.indexOf(':');
    const id = pair.slice(0, Math.max(at, 0)).trim();
    if (at < 0 || id === '')
      throw refuse(
        `entry ${index + 1} is not ${idLabel}:secret: give comma-separated ${idLabel}:secret pairs, the signing key first (e.g. ${spec.example}:<output of openssl rand -base64 48>)`,
      );
    if (!spec.idPattern.test(id))
      throw refuse(
        `entry ${index + 1} has ${idLabel === 'id' ? 'an' : 'a'} ${idLabel} that is not ${spec.idRange} of A-Z a-z 0-9 . _ - (give each key such an id, e.g. ${spec.example})`,
      );
    const secret = pair.slice(at + 1).trim();
    const bytes = Buffer.byteLength(secret);
    if (bytes < minBytes)
      throw refuse(
        `key "${id}" has a secret of ${bytes} bytes: give each key ${minBytes} bytes or more, the same on every replica (e.g. openssl rand -base64 48)`,
      );
    return { id, secret };
  });
  const ids = keys.map((k) => k.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined)
    throw refuse(`names the key "${twice}" twice: give each key its own ${idLabel}`);
  try {
    spec.check(keys);
  } catch {
    throw refuse(
      `${spec.unusable}: give comma-separated ${idLabel}:secret pairs, the signing key first`,
    );
  }
  return keys;
}

/**
 * `APPROVAL_KEYS`, `APPROVER_SCOPE` and `APPROVALS_WEBHOOK_URL`: the approvals of `purge_pages`.
 * Throws an {@link InvalidSettingError} that never repeats a secret nor the webhook URL (which
 * often holds one).
 *
 * @example
 * ```ts
 * readApprovals({ APPROVAL_KEYS: `a2:${newSecret},a1:${oldSecret}`, APPROVER_SCOPE: 'ops:approve' });
 * // { approvalKeys: [{ kid: 'a2', secret: newSecret }, { kid: 'a1', secret: oldSecret }],
 * //   approverScope: 'ops:approve', approvalsWebhookUrl: undefined }
 * ```
 */
export function readApprovals(
  env: NodeJS.ProcessEnv,
): Pick<WebScrapeSettings, 'approvalKeys' | 'approverScope' | 'approvalsWebhookUrl'> {
  return {
    approvalKeys: approvalKeys(env.APPROVAL_KEYS),
    approverScope: approverScope(env.APPROVER_SCOPE),
    approvalsWebhookUrl: webhookUrl(env.APPROVALS_WEBHOOK_URL),
  };
}

function approvalKeys(value: string | undefined): ApprovalKey[] | undefined {
  return readKeyPairs('APPROVAL_KEYS', value, {
    idLabel: 'kid',
    idPattern: APPROVAL_KID,
    idRange: '1 to 64',
    example: 'a1',
    minBytes: MIN_APPROVAL_SECRET_BYTES,
    // The tasks lib's own check, should it ask more than the above.
    check: (pairs) => new ApprovalSigner(pairs.map(({ id, secret }) => ({ kid: id, secret }))),
    unusable: 'cannot sign approvals',
  })?.map(({ id, secret }) => ({ kid: id, secret }));
}

function approverScope(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return DEFAULT_APPROVER_SCOPE;
  const scope = value.trim();
  if (!SCOPE_TOKEN.test(scope))
    throw new InvalidSettingError(
      'APPROVER_SCOPE',
      `APPROVER_SCOPE=${JSON.stringify(value)} is not one OAuth scope: use one word without spaces or quotes, e.g. ${DEFAULT_APPROVER_SCOPE}`,
    );
  if (scope === PURGE_SCOPE)
    throw new InvalidSettingError(
      'APPROVER_SCOPE',
      `APPROVER_SCOPE=${scope} is the scope that calls purge_pages: every caller could approve the others' purges; give approvers a scope of their own (default ${DEFAULT_APPROVER_SCOPE})`,
    );
  return scope;
}

function webhookUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value.trim());
  } catch {
    parsed = undefined;
  }
  // The URL itself is never repeated: a chat's incoming webhook carries its secret in it.
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
    throw new InvalidSettingError(
      'APPROVALS_WEBHOOK_URL',
      'APPROVALS_WEBHOOK_URL is not an http:// or https:// URL: give the URL approval notices are POSTed to (e.g. https://chat.example.com/hooks/…), or leave it unset',
    );
  return parsed.href;
}

/** Key ids the tasks lib accepts for approvals. */
const APPROVAL_KID = /^[A-Za-z0-9._-]{1,64}$/;

/** One OAuth scope token (RFC 6749 §3.3): printable ASCII but space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Key ids the resources lib accepts. */
const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** The non-empty entries of a comma-separated list, trimmed. */
const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

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
