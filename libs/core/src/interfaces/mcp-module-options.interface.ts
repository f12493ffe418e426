import type { Icon } from '@modelcontextprotocol/server';
import type { McpDiscoveryOptions } from '../progressive/discovery-options.interface';
import type { EventStore } from '../state/event.store';
import type { NotificationBus } from '../state/notification.bus';
import type { RedisClientLike } from '../state/redis-client';
import type { SessionStore } from '../state/session.store';
import type { McpIdentity } from './mcp-identity.interface';

/** Options of the Streamable HTTP transport of one server. */
export interface McpHttpOptions {
  /**
   * Path of the MCP endpoint, below the app's global prefix.
   * @default '/mcp'
   */
  path?: string;
  /**
   * Largest request body accepted, in bytes. Bodies over it are answered `413` with a JSON-RPC
   * error. With Express, the app's own JSON body parser runs first: raise its limit too
   * (`app.useBodyParserOptions`/`bodyParser: false`) when you raise this one above 100 kB.
   * @default 4194304 (4 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Hostnames (without port) accepted in the `Host` header, against DNS rebinding.
   * `undefined` accepts only loopback names when the server listens on loopback, and any host
   * otherwise; `false` turns the check off.
   * @default undefined
   */
  allowedHosts?: string[] | false;
  /**
   * Origins accepted in the `Origin` header (exact `scheme://host[:port]` or a hostname).
   * Requests without `Origin` (non-browser clients) are always accepted.
   * `undefined` accepts loopback origins only; `false` turns the check off.
   * @default undefined
   */
  allowedOrigins?: string[] | false;
  /**
   * How 2026-07-28 responses are shaped: `auto` answers JSON and upgrades to SSE when the call
   * emits progress or log notifications; `json` never streams (notifications are dropped);
   * `sse` always streams.
   * @default 'auto'
   */
  responseMode?: 'auto' | 'json' | 'sse';
  /**
   * Serve 2025-11-25 clients (initialize, sessions, SSE streams).
   * @default true
   */
  legacySessions?: boolean;
  /**
   * Idle time after which a 2025-era session is closed, in milliseconds.
   * @default 1800000 (30 minutes)
   */
  sessionIdleTtlMs?: number;
  /**
   * Most 2025-era sessions open at once; `initialize` past it is answered `503` with
   * `Retry-After`, so a flood of handshakes cannot exhaust memory. With a shared session store
   * (`state.redis`), the cap counts the sessions of every replica.
   * @default 10000
   */
  maxSessions?: number;
  /**
   * Most 2025-era sessions open at once per client (see {@link clientKey}): past it, that
   * client's `initialize` is answered `503` with `Retry-After` while other clients still open
   * sessions. With a shared session store, counted over every replica.
   * @default 100
   */
  maxSessionsPerClient?: number;
  /**
   * Most 2026-07-28 `subscriptions/listen` streams open at once on this replica (each holds a
   * connection); more are answered `503` with `Retry-After`.
   * @default 1024
   */
  maxListenStreams?: number;
  /**
   * Most `subscriptions/listen` streams open at once per client on this replica (see
   * {@link clientKey}); more are answered `503` with `Retry-After`.
   * @default 32
   */
  maxListenStreamsPerClient?: number;
  /**
   * `Retry-After` of the `503` answers at a session or listen-stream cap, in milliseconds
   * (sent rounded up to whole seconds).
   * @default 5000
   */
  capacityRetryAfterMs?: number;
  /**
   * The client a request counts against for the per-client caps. The default is the identity's
   * subject (`sub:<subject>`) and, for anonymous requests, the client address (`ip:<address>`;
   * IPv6 addresses by their /64 prefix) as the adapter reports it (`request.ip`): behind a proxy
   * or load balancer, set the adapter's `trust proxy` so that it reads `X-Forwarded-For`, or
   * every anonymous client counts as the proxy.
   *
   * @example
   * ```ts
   * clientKey: (request, identity) => identity?.tenant ?? (request as Request).ip ?? 'unknown'
   * ```
   */
  clientKey?: (request: unknown, identity: McpIdentity | undefined) => string;
}

/**
 * Where a server keeps the state of the 2025-11-25 era (sessions, their SSE events) and how its
 * replicas tell each other about changes (`list_changed`, `resources/updated`, session
 * bookkeeping). Everything is in this process's memory by default; with `redis`, it is shared
 * by every replica behind a load balancer. A store given here wins over the default.
 *
 * @example
 * ```ts
 * McpModule.forRoot({ name: 'web', version: '1.0.0', state: { redis: process.env.REDIS_URL } });
 * ```
 */
export interface McpStateOptions {
  /**
   * Redis shared by the replicas: a `redis://` URL (Rampart creates the client, and closes it at
   * shutdown) or an ioredis client of the app (never closed by Rampart; the bus subscribes on a
   * `duplicate()` of it, which it closes). Sessions, events and the bus not given below then
   * live in Redis. `undefined` or `''` keeps them in memory. Needs the `ioredis` package.
   * @default undefined
   */
  redis?: string | RedisClientLike;
  /**
   * Prefix of the Redis keys and channels; the server's name follows it, so that several
   * servers share one Redis.
   * @default 'rampart:'
   */
  keyPrefix?: string;
  /**
   * Longest wait for Redis on one command of the Redis stores and bus, in milliseconds; past it
   * Redis counts as down: a request that needs the session store is answered `503` with
   * `Retry-After`. A client created from a URL also gets it as ioredis' `commandTimeout` and
   * `socketTimeout`.
   * @default 1000
   */
  commandTimeoutMs?: number;
  /** Where 2025-11-25 sessions live. @default Redis with `redis`, else an `InMemorySessionStore` */
  sessions?: SessionStore;
  /** Where their SSE events live, for `Last-Event-ID`. @default Redis with `redis`, else an `InMemoryEventStore` */
  events?: EventStore;
  /** How replicas tell each other about changes. @default Redis pub/sub with `redis`, else an `InMemoryNotificationBus` */
  bus?: NotificationBus;
}

/** Options of `McpModule.forRoot()`. */
export interface McpModuleOptions {
  /**
   * Name of the server, sent as `serverInfo.name`. Tools, resources and prompts whose
   * `server` option names it belong to this server only; those without a `server` option
   * belong to every server.
   */
  name: string;
  /** Version of the server, sent as `serverInfo.version`. */
  version: string;
  /** Human title of the server. */
  title?: string;
  /** Instructions for the model, sent on `initialize` and `server/discover`. */
  instructions?: string;
  /** Icons of the server. */
  icons?: Icon[];
  /** Website of the server. */
  websiteUrl?: string;
  /**
   * Streamable HTTP transport; `false` turns it off.
   * @default { path: '/mcp' }
   */
  http?: McpHttpOptions | false;
  /**
   * Where 2025-era sessions, their events and change notifications live: memory (one replica)
   * or Redis (several replicas behind a load balancer). See `docs/architecture-state.md`.
   * @default in memory
   */
  state?: McpStateOptions;
  /**
   * Serve this server on stdin/stdout when the application starts. Logs must then go to
   * stderr: create the app with `logger: new StdioLogger()`.
   * @default false
   */
  stdio?: boolean;
  /**
   * Page size of the list methods.
   * @default 100
   */
  pageSize?: number;
  /**
   * Secret (32 bytes or more) that signs the `requestState` of 2026-07-28 multi-round calls.
   * Every replica must share it. Defaults to a random per-process key, which only works when
   * one process serves every round of a flow.
   */
  requestStateSecret?: string;
  /**
   * Cache hint sent with the list results of 2026-07-28 (`ttlMs`, `cacheScope`).
   * @default { ttlMs: 0, cacheScope: 'private' }
   */
  listCacheHint?: { ttlMs: number; cacheScope: 'public' | 'private' };
  /**
   * How the server offers its tools: every tool in `tools/list` (`mode: 'list'`), or three
   * meta-tools that search, describe and call a large catalogue (`mode: 'progressive'`, see
   * docs/discovery.md).
   * @default { mode: 'list' }
   */
  discovery?: McpDiscoveryOptions;
  /**
   * Resolves the caller's identity from the HTTP request (after the app's own auth
   * middleware ran). The default reads `req.user` when a middleware set it, else
   * `req.auth` (the SDK's `AuthInfo`).
   */
  identify?: (request: unknown) => McpIdentity | undefined;
}
