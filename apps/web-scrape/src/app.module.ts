import { Module, type DynamicModule } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { InvalidSettingError } from './invalid-setting.error';
import { McpModule } from '@rampart/core';
import {
  ObservabilityModule,
  type LoggingOptions,
  type ObservabilityModuleOptions,
} from '@rampart/observability';
import { ResilienceModule, type RateLimitOptions } from '@rampart/resilience';
import {
  Offloader,
  ResourceStore,
  ResourcesModule,
  ResultCacheModule,
  type ResourceLinkKey,
  type ResourcesModuleOptions,
} from '@rampart/resources';
import {
  DEFAULT_EGRESS_PORTS,
  HtmlSanitizer,
  OperationsGuard,
  SafeFetcher,
  SecurityModule,
  tagsOf,
  type HtmlSanitizerOptions,
  type SafeFetcherOptions,
  type SecurityModuleOptions,
} from '@rampart/security';
import {
  TasksModule,
  WebhookApprovalNotifier,
  type ApprovalKey,
  type ApprovalNotifier,
  type ApprovalsOptions,
  type TasksModuleOptions,
} from '@rampart/tasks';
import { CATALOG_SERVER, CatalogTools } from './catalog/catalog.tools';
import { CrawlTools } from './crawl.tools';
import { MetricsTools } from './metrics.tools';
import { PurgeTools } from './purge.tools';
import { ScrapeTools, type ScrapeOptions } from './scrape.tools';
import {
  PURGE_SCOPE,
  readApprovals,
  readEgress,
  readResourceLinkKeys,
  readScrapeCacheTtl,
} from './settings';

type AuditOptions = Exclude<ObservabilityModuleOptions['audit'], boolean | undefined>;

/** Options of the web-scrape app. */
export interface WebScrapeOptions {
  /**
   * Serve on stdin/stdout instead of HTTP.
   * @default false
   */
  stdio?: boolean;
  /** Fetch limits: `timeoutMs` (default 10000), `maxBytes` (default 5 MiB). */
  scrape?: Partial<ScrapeOptions>;
  /**
   * What the scraper may reach, as `SafeFetcher` options: `allow` (hosts, `*.suffixes`,
   * addresses, CIDRs reachable although not public), `deny`, `ports`, and in tests a `resolver`
   * (names to addresses without DNS) or a `logger`. Every loopback, private and otherwise
   * non-public target is refused unless `allow` names it.
   * @default from the environment: `EGRESS_ALLOW` and `EGRESS_PORTS` (see `readEgress`)
   */
  egress?: SafeFetcherOptions;
  /**
   * Offloaded pages (`@rampart/resources`): how long they and their links last, the store's
   * caps, and the keys that sign the links. Stored in Redis when `redisUrl` is set, so that any
   * replica reads a link another made, given the same `keys`.
   * @default { ttlMs: 900000 (15 minutes), keys: from `RESOURCE_LINK_KEYS` or a random key per process }
   */
  resources?: Pick<ResourcesModuleOptions, 'ttlMs' | 'maxBytes' | 'maxEntryBytes'> & {
    keys?: ResourceLinkKey[];
  };
  /**
   * What `format: 'html'` keeps (`HtmlSanitizer` options).
   * @default the seed's allowlist: p, br, strong, em, u, a, ul, ol, li, h1-h6, code, pre
   */
  sanitize?: HtmlSanitizerOptions;
  /**
   * Redis shared by every replica: rate limits and breakers, 2025-era sessions and their SSE
   * events (a session opened on one replica is served by any), list-change notifications, and
   * offloaded pages. Per-process memory when unset.
   * @default process.env.REDIS_URL
   */
  redisUrl?: string;
  /** Rate limits of `scrape_url` per caller, replacing the burst and sustained defaults. */
  rateLimits?: RateLimitOptions[];
  /**
   * Rate limits of `batch_scrape` per caller (a batch counts as one call), replacing its
   * defaults: one per 10 s, six a minute.
   */
  batchRateLimits?: RateLimitOptions[];
  /**
   * Rate limits of `crawl_site` per caller (a crawl counts as one call), replacing its
   * defaults: one per 10 s, six a minute.
   */
  crawlRateLimits?: RateLimitOptions[];
  /**
   * Tasks (`crawl_site` runs as one), as `TasksModule` options: `keyPrefix` of their Redis keys,
   * how long they are kept, the polling hint, the lease of a worker. They live in Redis when
   * `redisUrl` is set, so that any replica answers for a task another runs; in memory otherwise.
   * Clients without the tasks extension get a handle and the `get_task_status`,
   * `get_task_result` and `cancel_task` tools.
   * @default { ttlMs: the resources' ttlMs (15 minutes), keyPrefix: 'rampart:tasks:' }
   */
  tasks?: Pick<TasksModuleOptions, 'ttlMs' | 'pollIntervalMs' | 'leaseMs' | 'concurrency'> & {
    keyPrefix?: string;
  };
  /**
   * Approvals of `purge_pages`, which is served only with authentication (`security`): the keys
   * that sign them, the scope an approver needs, how long one may be given, and who is told.
   * Approvers decide on `/rampart/approvals` of this server, with the credentials the MCP
   * endpoint takes. Approvals live beside the tasks (Redis with `redisUrl`).
   * @default from the environment: `APPROVAL_KEYS` (else a random key per process),
   * `APPROVER_SCOPE` (else `pages:approve`), `APPROVALS_WEBHOOK_URL` (else nobody is told)
   */
  approvals?: WebScrapeApprovalsOptions;
  /**
   * Where the audit trail of every call goes: the log (default), or PostgreSQL when
   * `DATABASE_URL` is set (table `rampart_audit`, created on start).
   * @default process.env.DATABASE_URL ? postgres : log
   */
  audit?: AuditOptions;
  /**
   * Who may call over HTTP: OAuth bearer tokens and API keys (`SecurityModule` options), or
   * `false` to serve without authentication. `scrape_url` and `batch_scrape` need the scope
   * `scrape:read`. On stdio the caller is the local user and nothing is checked. It also decides
   * the links of offloaded pages: bound to their caller with authentication, bearer links
   * without (the resources library's `anonymous: 'allow'`).
   * @default from the environment: see {@link securityFromEnv}
   */
  security?: SecurityModuleOptions | false;
  /**
   * Lowest level of the log lines (one per call).
   * @default process.env.LOG_LEVEL ?? 'info'
   */
  logLevel?: LoggingOptions['level'];
  /**
   * At shutdown (Ctrl-C, SIGTERM), how long calls in flight get to finish before the server
   * closes anyway, in milliseconds (readiness answers 503 meanwhile).
   * @default 10000
   */
  gracePeriodMs?: number;
  /**
   * Whether the HTTP server serves the operational endpoints (`/health/live`, `/health/ready`,
   * `/metrics`, `/slo`; behind the admin scope when `security` is on). `false` leaves them out,
   * for a second Nest application on another port to serve them without authentication
   * (`ObservabilityEndpointsModule.forApp(app)`), as `main.ts` does when `OPS_PORT` is set.
   * @default true
   */
  operationsEndpoints?: boolean;
  /**
   * The example catalogue: a second MCP server, `catalog`, at `/catalog/mcp`, with 360 read-only
   * tools over the back-office records of `catalog/catalog.table.ts`. `discovery: 'progressive'`
   * lists three meta-tools (`search_tools`, `describe_tool`, `call_tool`) instead of the 360
   * definitions; `'list'` lists them all. `false` leaves the server out. Never on stdio, which
   * serves the one web-scrape server. With authentication on, its tools need the scope
   * `catalog:read` (the people records `catalog:hr`).
   * @default { discovery: 'progressive', path: '/catalog/mcp' } over HTTP; false on stdio
   */
  catalog?: CatalogServerOptions | false;
  /**
   * How long a `scrape_url` answer is served from the result cache to the same arguments, in
   * milliseconds; `0` turns the cache off. Private to each caller when `security` is on, shared
   * when the server is open; in Redis too (and dropped on every replica together) when `redisUrl`
   * is set. See docs/caching.md.
   * @default from `SCRAPE_CACHE_TTL_MS`, else 30000
   */
  scrapeCacheTtlMs?: number;
}

/** Approvals of `purge_pages`: see {@link WebScrapeOptions.approvals}. */
export interface WebScrapeApprovalsOptions {
  /**
   * The keys that sign approvals, the signing key first (each secret 32 bytes or more); every
   * replica needs the same.
   * @default from `APPROVAL_KEYS`, else a random key per process (one replica only: an approval
   * asked on one replica does not verify on another)
   */
  keys?: ApprovalKey[];
  /**
   * The scope an approver (another identity of the caller's tenant) needs. Never
   * `pages:purge`, the callers' own.
   * @default from `APPROVER_SCOPE`, else 'pages:approve'
   */
  approverScope?: string;
  /**
   * Where a notice of each approval asked for is POSTed (JSON, never the arguments): operator
   * configuration, trusted, not subject to the scraper's egress rules.
   * @default from `APPROVALS_WEBHOOK_URL`, else none
   */
  webhookUrl?: string;
  /** Other notifiers, told as well (a chat client of your own). */
  notifiers?: ApprovalNotifier[];
  /**
   * How long an approval may be given, from the call, in milliseconds.
   * @default 900000 (15 minutes)
   */
  ttlMs?: number;
  /**
   * How often approvals past their expiry are expired, in milliseconds.
   * @default 1000
   */
  sweepIntervalMs?: number;
}

/** Options of the example catalogue server. */
export interface CatalogServerOptions {
  /**
   * How its tools are offered: three meta-tools (`'progressive'`) or every definition (`'list'`).
   * @default 'progressive'
   */
  discovery?: 'progressive' | 'list';
  /**
   * Path of its MCP endpoint.
   * @default '/catalog/mcp'
   */
  path?: string;
}

/** How long calls in flight get to finish at shutdown, unless `gracePeriodMs` says otherwise. */
export const DEFAULT_GRACE_PERIOD_MS = 10_000;

/**
 * Time allowed after the grace period for closing connections and stores at shutdown: past
 * `gracePeriodMs` + this, the process exits anyway (code 1).
 */
export const CLOSE_MARGIN_MS = 5_000;

/**
 * The web-scrape example server.
 *
 * @example
 * const app = await NestFactory.create(AppModule.forRoot({ scrape: { timeoutMs: 5000 } }));
 */
@Module({})
export class AppModule {
  static forRoot(options: WebScrapeOptions = {}): DynamicModule {
    const scrape: ScrapeOptions = {
      timeoutMs: 10_000,
      maxBytes: 5 * 1024 * 1024,
      ...options.scrape,
    };
    const redis = 'redisUrl' in options ? options.redisUrl : process.env.REDIS_URL;
    const security = options.stdio
      ? false
      : 'security' in options
        ? options.security!
        : (securityFromEnv(process.env) ?? false);
    const egress = options.egress ?? egressFromEnv(process.env);
    const catalog =
      options.stdio || options.catalog === false
        ? undefined
        : { discovery: 'progressive' as const, path: '/catalog/mcp', ...options.catalog };
    const keys =
      options.resources && 'keys' in options.resources
        ? options.resources.keys
        : readResourceLinkKeys(process.env);
    const cacheTtlMs = options.scrapeCacheTtlMs ?? readScrapeCacheTtl(process.env);
    // purge_pages, and the approvals it needs, only with authentication: see PurgeTools.
    const approvals = security ? approvalsOf(options.approvals ?? {}) : undefined;
    return {
      module: AppModule,
      imports: [
        ...(security ? [SecurityModule.forRoot(security)] : []),
        // Before ResilienceModule: a cached answer skips the retries, timeouts and breakers (the
        // guards, scopes and rate limits still run on every call).
        ResultCacheModule.forRoot({
          redis,
          enabled: cacheTtlMs > 0,
          tools: {
            scrape_url:
              cacheTtlMs > 0
                ? { ttlMs: cacheTtlMs, scope: security ? 'private' : 'public' }
                : false,
          },
        }),
        ResilienceModule.forRoot({
          storage: { redis },
          tools: {
            scrape_url: {
              timeout: { attemptMs: scrape.timeoutMs, overallMs: 3 * scrape.timeoutMs },
              ...(options.rateLimits && { rateLimit: options.rateLimits }),
            },
            ...(options.batchRateLimits && {
              batch_scrape: { rateLimit: options.batchRateLimits },
            }),
            ...(options.crawlRateLimits && {
              crawl_site: { rateLimit: options.crawlRateLimits },
            }),
          },
        }),
        ResourcesModule.forRoot({
          // Memory when REDIS_URL is unset.
          storage: { redis },
          ttlMs: 15 * 60_000,
          ...options.resources,
          keys,
          // Open (no AUTH_*, or stdio), callers have no identity: their pages get bearer links,
          // readable by whoever holds one, as everything else of an open server is. With
          // authentication, every caller has an identity and each link is bound to its owner.
          anonymous: security ? 'refuse' : 'allow',
          // The tools offload by hand (the Offloader); no @Offload() to intercept.
          globalInterceptor: false,
        }),
        ObservabilityModule.forRoot({
          // /metrics, /health/live, /health/ready, /slo over HTTP; on stdio only the log lines
          // (on stderr), the audit trail and the resource.
          metrics: options.stdio ? { allTools: true, path: false } : { allTools: true },
          tracing: true,
          logging: {
            level: options.logLevel ?? (process.env.LOG_LEVEL as LoggingOptions['level']) ?? 'info',
          },
          redaction: {},
          audit: options.audit ?? defaultAudit(),
          ...(!options.stdio && {
            health: { gracePeriodMs: options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS },
          }),
          slo: {
            tools: {
              scrape_url: { latency: { percentile: 0.95, thresholdMs: 5_000 }, success: 0.99 },
            },
            ...(options.stdio && { path: false }),
          },
          metricsResource: true,
          // With authentication on, /metrics, /health/* and /slo need the admin scope too,
          // unless another application serves them on a port of their own.
          ...(options.operationsEndpoints === false
            ? { endpoints: { serve: false } }
            : security && { endpoints: { guards: [OperationsGuard] } }),
        }),
        TasksModule.forRoot({
          // In Redis with REDIS_URL (any replica reads a task another runs), memory otherwise.
          ...(redis && {
            storage: {
              redis,
              ...(options.tasks?.keyPrefix !== undefined && { keyPrefix: options.tasks.keyPrefix }),
            },
          }),
          // A crawl's result is its pages' links: kept as long as the pages are.
          ttlMs: options.resources?.ttlMs ?? 15 * 60_000,
          ...withoutKeyPrefix(options.tasks),
          // Clients without the tasks extension get a handle and the status tools.
          handles: true,
          // The scraper's server only: the catalogue has no long-running tools.
          server: 'web-scrape',
          // purge_pages (destructiveHint) waits for an approver of the caller's tenant.
          ...(approvals && { approvals }),
        }),
        McpModule.forRoot({
          name: 'web-scrape',
          version: '0.1.0',
          instructions:
            'Fetch public web pages with scrape_url (or up to 20 at once with batch_scrape); read a long page in full through the resource link its answer gives. crawl_site fetches the pages of one site that links lead to, as a task: poll it (or get_task_status and get_task_result with its task id) for the resource links of the pages. get_metrics summarises the health of this server.',
          http: options.stdio ? false : { path: '/mcp' },
          stdio: options.stdio,
          // Sessions, their events and change notifications, shared over HTTP replicas.
          ...(!options.stdio && { state: { redis } }),
        }),
        ...(catalog
          ? [
              McpModule.forRoot({
                name: CATALOG_SERVER,
                version: '0.1.0',
                instructions:
                  "Read-only records of the company's back office (billing, sales, commerce, logistics, support, people, engineering, finance). Find a tool with search_tools, then call it with call_tool.",
                http: { path: catalog.path },
                discovery: { mode: catalog.discovery, tagsOf },
                state: { redis },
              }),
            ]
          : []),
      ],
      providers: [
        {
          // The app's own fetcher, whatever SecurityModule provides: the scraper's policy.
          provide: SafeFetcher,
          useFactory: () =>
            new SafeFetcher({
              headers: { 'user-agent': 'rampart-web-scrape/0.1' },
              connectTimeoutMs: scrape.timeoutMs,
              ...egress,
            }),
        },
        { provide: HtmlSanitizer, useFactory: () => new HtmlSanitizer(options.sanitize) },
        {
          provide: ScrapeTools,
          useFactory: (fetcher: SafeFetcher, sanitizer: HtmlSanitizer, offloader: Offloader) =>
            new ScrapeTools(fetcher, sanitizer, offloader, scrape),
          inject: [SafeFetcher, HtmlSanitizer, Offloader],
        },
        {
          provide: CrawlTools,
          useFactory: (scraper: ScrapeTools, offloader: Offloader) =>
            new CrawlTools(scraper, offloader, scrape),
          inject: [ScrapeTools, Offloader],
        },
        MetricsTools,
        ...(approvals
          ? [
              {
                provide: PurgeTools,
                useFactory: (store: ResourceStore) => new PurgeTools(store),
                inject: [ResourceStore],
              },
            ]
          : []),
        ...(catalog ? [CatalogTools] : []),
      ],
    };
  }
}

/**
 * What the scraper may reach, from `EGRESS_ALLOW` and `EGRESS_PORTS` (see `readEgress`): public
 * addresses on ports 80, 443, 8080 and 8443 when both are unset.
 *
 * @example
 * ```ts
 * egressFromEnv({ EGRESS_ALLOW: '127.0.0.1', EGRESS_PORTS: 'any' }); // { allow: ['127.0.0.1'], ports: 'any' }
 * ```
 */
export function egressFromEnv(env: NodeJS.ProcessEnv): SafeFetcherOptions {
  const { egressAllow, egressPorts } = readEgress(env);
  return { allow: egressAllow, ports: egressPorts };
}

/**
 * One line for the terminal: what `scrape_url` may reach.
 *
 * @example
 * ```ts
 * describeEgress({ allow: ['127.0.0.1/32'], ports: 'any' });
 * // 'Egress: public addresses plus 127.0.0.1/32, on any port'
 * ```
 */
export function describeEgress(egress: Pick<SafeFetcherOptions, 'allow' | 'ports'>): string {
  const allow = egress.allow ?? [];
  const ports = egress.ports ?? DEFAULT_EGRESS_PORTS;
  const where = allow.length
    ? `public addresses plus ${allow.join(', ')}`
    : 'public addresses only (EGRESS_ALLOW names exceptions)';
  return `Egress: ${where}, ${ports === 'any' ? 'on any port' : `on ports ${ports.join(', ')}`}`;
}

/**
 * The `TasksModule` approvals of `purge_pages`: every `destructiveHint` tool of the scraper's
 * server (purge_pages; the task status tools are never held) waits for an approver holding the
 * approver scope. What `options` leaves out comes from the environment (see `readApprovals`).
 */
function approvalsOf(options: WebScrapeApprovalsOptions): ApprovalsOptions {
  const env = readApprovals(process.env);
  const keys = ('keys' in options ? options.keys : env.approvalKeys) ?? [
    // One replica's key: approvals do not verify on another (APPROVAL_KEYS shares them).
    { kid: 'process', secret: randomBytes(32) },
  ];
  const approvers = options.approverScope ?? env.approverScope;
  if (approvers === PURGE_SCOPE)
    throw new InvalidSettingError(
      'APPROVER_SCOPE',
      `the approver scope is ${PURGE_SCOPE}, the scope that calls purge_pages: every caller could approve the others' purges`,
    );
  const webhookUrl = 'webhookUrl' in options ? options.webhookUrl : env.approvalsWebhookUrl;
  return {
    keys,
    destructive: {
      approvers,
      reason: 'Deletes stored pages of the tenant; their resource links stop reading',
      ...(options.ttlMs !== undefined && { ttlMs: options.ttlMs }),
    },
    notifiers: [
      ...(webhookUrl ? [new WebhookApprovalNotifier({ url: webhookUrl })] : []),
      ...(options.notifiers ?? []),
    ],
    ...(options.sweepIntervalMs !== undefined && { sweepIntervalMs: options.sweepIntervalMs }),
  };
}

/**
 * One line for the terminal: how `purge_pages` is approved, or that it is not served.
 *
 * @example
 * ```ts
 * describeApprovals(true, { approverScope: 'pages:approve' });
 * // 'Approvals: purge_pages waits for an approver of the caller's tenant with pages:approve, ...'
 * ```
 */
export function describeApprovals(
  authenticated: boolean,
  settings: { approvalKeys?: ApprovalKey[]; approverScope: string; approvalsWebhookUrl?: string },
): string {
  if (!authenticated)
    return 'Approvals: purge_pages is not served without authentication (nobody could approve, and every page is anonymous)';
  const keys = settings.approvalKeys
    ? 'signed with APPROVAL_KEYS'
    : 'signed with a random key of this process (APPROVAL_KEYS unset: fine for one replica; another replica cannot verify them)';
  const told = settings.approvalsWebhookUrl
    ? `; each is POSTed to APPROVALS_WEBHOOK_URL (${new URL(settings.approvalsWebhookUrl).host})`
    : '';
  return `Approvals: purge_pages (scope ${PURGE_SCOPE}) waits for an approver of the caller's tenant with ${settings.approverScope} on /rampart/approvals, ${keys}${told}`;
}

/** The `TasksModule` options of `tasks`, its `keyPrefix` aside (it goes with the storage). */
function withoutKeyPrefix(
  tasks: WebScrapeOptions['tasks'],
): Omit<NonNullable<WebScrapeOptions['tasks']>, 'keyPrefix'> {
  const { keyPrefix: _prefix, ...rest } = tasks ?? {};
  return rest;
}

/** The audit trail's sink: PostgreSQL when `DATABASE_URL` is set, the log otherwise. */
function defaultAudit(): AuditOptions {
  const url = process.env.DATABASE_URL;
  return url
    ? { sink: 'postgres', postgres: { connectionString: url, createTable: true } }
    : { sink: 'log' };
}

/**
 * Authentication from the environment:
 * - `AUTH_ISSUER`, `AUTH_AUDIENCE` (this server's canonical URI, e.g.
 *   `https://scrape.example.com/mcp`) and `AUTH_JWKS_URL`: bearer JWTs from that issuer;
 * - `API_KEYS_FILE`: a JSON file of API keys (hashes only) accepted too (or alone).
 *
 * `undefined` when none is set: the server runs without authentication.
 */
export function securityFromEnv(env: NodeJS.ProcessEnv): SecurityModuleOptions | undefined {
  const { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWKS_URL: jwksUrl } = env;
  const keysFile = env.API_KEYS_FILE;
  const oauth = [issuer, audience, jwksUrl].filter(Boolean).length;
  if (oauth > 0 && oauth < 3)
    throw new InvalidSettingError(
      'AUTH_ISSUER',
      'set all of AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL to accept bearer tokens, or none of them',
    );
  if (keysFile && !existsSync(keysFile))
    throw new InvalidSettingError(
      'API_KEYS_FILE',
      `API_KEYS_FILE names ${keysFile}, which does not exist`,
    );
  if (oauth === 0 && !keysFile) return undefined;
  return {
    ...(oauth === 3 && { resource: audience, jwt: { issuer: issuer!, jwksUrl: jwksUrl! } }),
    ...(keysFile && { apiKeys: { file: keysFile } }),
  };
}

/** One line for the terminal: how callers are authenticated, or that nothing checks them. */
export function describeSecurity(security: SecurityModuleOptions | undefined): string {
  if (!security)
    return 'Authentication: none (AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL and API_KEYS_FILE are unset): every caller is served; keep this server on loopback';
  const ways = [
    ...(security.jwt
      ? [`bearer tokens from ${String(security.jwt.issuer)} for ${security.resource}`]
      : []),
    ...(security.apiKeys?.file ? [`API keys from ${security.apiKeys.file}`] : []),
  ];
  return `Authentication: ${ways.join(' and ')}; scrape_url and batch_scrape need the scope scrape:read`;
}
