import type { Icon } from '@modelcontextprotocol/server';
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
   * `Retry-After`, so a flood of handshakes cannot exhaust memory.
   * @default 10000
   */
  maxSessions?: number;
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
   * Resolves the caller's identity from the HTTP request (after the app's own auth
   * middleware ran). The default reads `req.user` when a middleware set it, else
   * `req.auth` (the SDK's `AuthInfo`).
   */
  identify?: (request: unknown) => McpIdentity | undefined;
}
