import type { McpIdentity } from '@rampart/core';
import type { JWK } from 'jose';
import type { ApiKeyStore } from '../api-keys/api-key.store';
import type { SafeFetcherOptions } from '../egress/safe-fetcher-options.interface';
import type { KillSwitchStore } from '../governance/kill-switch.store';
import type { HtmlSanitizerOptions } from '../sanitize/html-sanitizer-options.interface';

/**
 * Bearer JWTs, verified locally against the authorization server's keys.
 *
 * @example
 * ```ts
 * const jwt: JwtOptions = {
 *   issuer: 'https://login.example.com/',
 *   jwksUrl: 'https://login.example.com/.well-known/jwks.json',
 * };
 * ```
 */
export interface JwtOptions {
  /** The `iss` a token must carry (one of them, when a list). */
  issuer: string | readonly string[];
  /**
   * The `aud` a token must name. Bind it to this server: RFC 8707 resource indicators make the
   * authorization server put the resource URI here.
   * @default the module's `resource`
   */
  audience?: string | readonly string[];
  /**
   * The authorization server's JWKS. Fetched on first use and cached; a token whose `kid` is not
   * in the cached set triggers one refetch (at most one per `jwksCooldownMs`), which is how key
   * rotation is picked up. Either this or `keys`.
   */
  jwksUrl?: string;
  /** Static public keys (JWKs, or SPKI PEM strings), instead of a `jwksUrl`. */
  keys?: readonly (JWK | string)[];
  /**
   * Signature algorithms accepted. Asymmetric only: `none` and the HMAC family are refused at
   * boot, so a token signed with the public key as an HMAC secret can never verify.
   * @default ['RS256', 'PS256', 'ES256', 'EdDSA']
   */
  algorithms?: readonly string[];
  /**
   * Clock skew tolerated on `exp` and `nbf`, in milliseconds.
   * @default 30_000
   */
  clockSkewMs?: number;
  /**
   * Least time between two JWKS refetches caused by unknown `kid`s, in milliseconds: a flood of
   * tokens with made-up `kid`s costs the authorization server one request per period.
   * @default 30_000
   */
  jwksCooldownMs?: number;
  /**
   * How long a fetched JWKS is used before it is fetched again, in milliseconds.
   * @default 600_000
   */
  jwksMaxAgeMs?: number;
  /**
   * Time limit of one JWKS request, in milliseconds. A JWKS endpoint that does not answer makes
   * requests fail with `503` and `Retry-After`, never hang.
   * @default 5_000
   */
  jwksTimeoutMs?: number;
  /** Claims that carry the identity, when the authorization server names them differently. */
  claims?: IdentityClaims;
}

/** Where an identity's parts are read from a token's claims (or an introspection answer). */
export interface IdentityClaims {
  /**
   * Scopes: a space-separated string or an array.
   * @default 'scope', then 'scp'
   */
  scopes?: string;
  /** @default 'tenant', then 'tid' */
  tenant?: string;
  /** @default 'roles' */
  roles?: string;
  /** @default 'sub', then 'client_id' */
  subject?: string;
}

/**
 * Opaque bearer tokens, checked with the authorization server's RFC 7662 introspection
 * endpoint. Answers are cached for a short time by a hash of the token, never the token.
 */
export interface IntrospectionOptions {
  /** The introspection endpoint. */
  url: string;
  /** This server's client id at the authorization server (HTTP Basic authentication). */
  clientId: string;
  /** Its client secret. */
  clientSecret: string;
  /**
   * How long an answer is reused, in milliseconds (never past the token's `exp`).
   * @default 30_000
   */
  cacheTtlMs?: number;
  /**
   * Time limit of one introspection request, in milliseconds.
   * @default 5_000
   */
  timeoutMs?: number;
  /** Claims that carry the identity. */
  claims?: IdentityClaims;
}

/** API keys for service clients. */
export interface ApiKeyOptions {
  /**
   * Where keys are kept (hashes only): an instance, or `memory` (the default) or `{ redis }`
   * for the built-in stores.
   * @default 'memory'
   */
  store?: ApiKeyStore | 'memory' | { redis: string };
  /**
   * The request header that carries a key.
   * @default 'x-api-key'
   */
  header?: string;
  /**
   * A JSON file of keys (an array of `ApiKeyRecord`s, hashes only) added to the store at boot,
   * e.g. keys issued elsewhere and shipped as a secret.
   */
  file?: string;
}

/** The admin HTTP endpoints (API keys, kill switches); they need the `adminScope`. */
export interface SecurityAdminOptions {
  /**
   * Path under which they are served (`<path>/api-keys`, `<path>/kill-switches`), without the
   * app's global prefix.
   * @default '/rampart/admin'
   */
  path?: string;
}

/** Risk of a primitive, from its annotations or declared with `@Risk()`. */
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/**
 * A rule that turns primitives off for some callers or deployments. Every field narrows which
 * primitives and callers it applies to; a rule with only `tags` applies to everyone.
 */
export interface AccessRule {
  /** Primitives with any of these tags (`@Tags()`). */
  tags?: readonly string[];
  /** Primitives by name (tool or prompt name, resource URI or URI template). */
  names?: readonly string[];
  /** Primitives at or above this risk. */
  riskAtLeast?: RiskLevel;
  /** Callers of these tenants. */
  tenants?: readonly string[];
  /** Callers with any of these roles. */
  roles?: readonly string[];
  /** Deployments in these environments. */
  environments?: readonly string[];
}

/** Governance: what a deployment serves at all. */
export interface GovernanceOptions {
  /**
   * Serve only tools annotated `readOnlyHint: true` (resources and prompts are read-only).
   * @default false
   */
  readOnly?: boolean;
  /**
   * Name of this deployment's environment, matched by rules' `environments`.
   * @default process.env.NODE_ENV ?? 'development'
   */
  environment?: string;
  /** Rules that turn primitives off; a primitive any rule matches is hidden and refused. */
  disable?: readonly AccessRule[];
  /**
   * Highest risk served; primitives above it are hidden and refused.
   * @default 'critical' (everything)
   */
  maxRisk?: RiskLevel;
  /**
   * Where kill switches live: an instance, `memory` (the default: this process only) or
   * `{ redis }` (every replica sees a switch thrown on any of them).
   * @default 'memory'
   */
  killSwitch?: KillSwitchStore | 'memory' | { redis: string };
}

/** Cedar policies. */
export interface PolicyOptions {
  /** Policy files (`.cedar`); reloaded by `PolicyEngine.reload()` and when `watch` is on. */
  files?: readonly string[];
  /** Policies as text, in addition to the files. */
  policies?: string;
  /**
   * Reload the files when they change.
   * @default false
   */
  watch?: boolean;
}

/** Cross-origin access for browser clients. */
export interface CorsOptions {
  /** Origins allowed, exactly (`https://app.example.com`). */
  origins: readonly string[];
  /**
   * How long a preflight answer may be cached, in seconds.
   * @default 600
   */
  maxAgeSeconds?: number;
}

/** HTTP hardening of the MCP endpoint. */
export interface SecurityHttpOptions {
  /**
   * Security headers (helmet) on every MCP response. `true`: those that act on a response that is
   * not a page (content security policy, HSTS, `nosniff`, `X-Frame-Options`,
   * `Cross-Origin-Resource-Policy`, `Referrer-Policy`); `'all'`: helmet's whole default set,
   * with its six headers that only act on pages (for a scanner that asks for them); `false`: none
   * (e.g. behind a gateway that sets them).
   * @default true
   */
  headers?: boolean | 'all';
  /** CORS for browser clients; off by default. */
  cors?: CorsOptions;
}

/** Options of `SecurityModule.forRoot()`. */
export interface SecurityModuleOptions {
  /**
   * This server's canonical resource URI (RFC 8707), e.g. `https://mcp.example.com/mcp`: the
   * audience tokens must name and the `resource` of the protected resource metadata. Required
   * with `jwt` or `introspection`.
   */
  resource?: string;
  /** Authorization servers that issue tokens for this resource, for the metadata. */
  authorizationServers?: readonly string[];
  /** Scopes this resource understands, for the metadata (default: those the primitives use). */
  scopesSupported?: readonly string[];
  /** Human-readable name of the resource, for the metadata. */
  resourceName?: string;
  /** Bearer JWTs. */
  jwt?: JwtOptions;
  /** Opaque bearer tokens (RFC 7662). */
  introspection?: IntrospectionOptions;
  /** API keys. */
  apiKeys?: ApiKeyOptions;
  /**
   * Requests without credentials: `deny` answers them `401` with the `WWW-Authenticate`
   * challenge; `allow` serves them as anonymous callers, who see and use only what `@Public()`
   * (or `defaultAccess: 'public'`) allows.
   * @default 'deny' when any authentication is configured, else 'allow'
   */
  anonymous?: 'allow' | 'deny';
  /**
   * Who may use a primitive that has no `@Public()`, `@Scopes()` or `@Roles()`:
   * `authenticated` callers, anyone (`public`), or nobody (`deny`, deny-by-default).
   * @default 'authenticated'
   */
  defaultAccess?: 'authenticated' | 'public' | 'deny';
  /**
   * The identity of stdio and in-memory connections, whose caller is the local user.
   * @default none: they are anonymous
   */
  localIdentity?: McpIdentity;
  /** Governance: read-only mode, disable rules, risk ceiling, kill switches. */
  governance?: GovernanceOptions;
  /** Cedar policies evaluated on every call and list. */
  policy?: PolicyOptions;
  /** HTTP hardening: security headers, CORS. */
  http?: SecurityHttpOptions;
  /**
   * The scope the admin endpoints (kill switches, API keys) need.
   * @default 'rampart:admin'
   */
  adminScope?: string;
  /**
   * The admin HTTP endpoints, served when some authentication is configured (nobody could pass
   * them otherwise); `false` turns them off.
   * @default { path: '/rampart/admin' }
   */
  admin?: SecurityAdminOptions | false;
  /** Rampart servers this module protects. @default every server of the app */
  servers?: readonly string[];
  /**
   * The `SafeFetcher` the module provides: which hosts and networks it may reach beyond public
   * addresses, ports, limits, resolver. See docs/egress.md.
   * @default public addresses on ports 80, 443, 8080 and 8443, 5 redirects, 5 MiB, 30 s
   */
  egress?: SafeFetcherOptions;
  /**
   * What the `HtmlSanitizer` the module provides (and `@SanitizeHtml()` uses) keeps.
   * @default the seed documents' allowlist (see `DEFAULT_ALLOWED_TAGS`)
   */
  sanitize?: HtmlSanitizerOptions;
}
