import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { channel } from 'node:diagnostics_channel';
import {
  isPromiseLike,
  McpServers,
  RampartChannel,
  type AccessEvent,
  type MaybePromise,
  type McpIdentity,
} from '@rampart/core';
import type { AccessSettings, PolicyAuthorizer } from './access/access-decision';
import { ServerAccess } from './access/server-access';
import { ApiKeyVerifierToken } from './api-keys/api-key-verifier.token';
import { isAuthenticationFailure } from './auth/authentication-failure';
import { Authenticator, type ApiKeyVerifier } from './auth/authenticator';
import { Challenges } from './auth/challenges';
import { JwtVerifier } from './auth/jwt-verifier';
import { TokenIntrospector } from './auth/token-introspector';
import { KillSwitchStore, type KillSwitch } from './governance/kill-switch.store';
import { metadataUrlOf, type ProtectedResourceMetadata } from './http/protected-resource-metadata';
import type { SecurityModuleOptions } from './interfaces/security-module-options.interface';
import { PolicyAuthorizerToken } from './policy/policy-authorizer.token';
import { DEFAULT_ADMIN_SCOPE } from './security.constants';
import { assertSecurityOptions } from './security-options.validation';
import { SECURITY_MODULE_OPTIONS } from './security.module-definition';
import type { IncomingHttpHeaders } from 'node:http';

const accessEvents = channel(RampartChannel.access);

/**
 * The security of the app's Rampart servers, in one place: who is calling (credentials), what
 * each caller may see and use (scopes, roles, governance, kill switches, policies), and the
 * refusals clients get. The `SecurityHook` asks it on every request; the admin endpoints use it
 * too.
 */
@Injectable()
export class SecurityService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Security');
  readonly authenticator: Authenticator;
  readonly challenges: Challenges;
  private readonly jwt?: JwtVerifier;
  private readonly settings: AccessSettings;
  private readonly access = new Map<string, ServerAccess>();
  private killed = new Set<string>();
  private stopWatching?: () => void;
  private stopPolicyWatch?: () => void;
  /** The protected resource metadata URL, when the server takes bearer tokens. */
  readonly metadataUrl?: URL;

  constructor(
    @Inject(SECURITY_MODULE_OPTIONS) readonly options: SecurityModuleOptions,
    private readonly servers: McpServers,
    private readonly reflector: Reflector,
    @Optional() @Inject(KillSwitchStore) private readonly killSwitches?: KillSwitchStore,
    @Optional() @Inject(ApiKeyVerifierToken) apiKeys?: ApiKeyVerifier,
    @Optional() @Inject(PolicyAuthorizerToken) private readonly policy?: PolicyAuthorizer,
  ) {
    assertSecurityOptions(options);
    const audience = options.jwt?.audience ?? options.resource;
    if (options.jwt) this.jwt = new JwtVerifier(options.jwt, audience!);
    const introspector = options.introspection
      ? new TokenIntrospector(options.introspection, options.resource)
      : undefined;
    const apiKeyHeader = (options.apiKeys?.header ?? 'x-api-key').toLowerCase();
    this.authenticator = new Authenticator(
      this.jwt,
      introspector,
      options.apiKeys ? apiKeys : undefined,
      apiKeyHeader,
    );
    if (options.resource && this.authenticator.acceptsBearer)
      this.metadataUrl = metadataUrlOf(options.resource);
    this.challenges = new Challenges(
      this.metadataUrl?.href,
      this.authenticator.acceptsBearer,
      options.apiKeys ? apiKeyHeader : undefined,
    );
    this.settings = {
      defaultAccess: options.defaultAccess ?? 'authenticated',
      governance: options.governance ?? {},
      environment: options.governance?.environment ?? process.env.NODE_ENV ?? 'development',
      policy,
    };
  }

  async onModuleInit(): Promise<void> {
    await this.jwt?.ready();
    this.stopPolicyWatch = this.policy?.onChange?.(() => this.changed());
    if (this.killSwitches) {
      this.stopWatching = this.killSwitches.watch(() => void this.refreshKillSwitches());
      await this.refreshKillSwitches();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopWatching?.();
    this.stopPolicyWatch?.();
    this.policy?.close?.();
  }

  /** Whether requests without credentials are served (as anonymous callers). */
  get allowsAnonymous(): boolean {
    return (this.options.anonymous ?? (this.authenticator.enabled ? 'deny' : 'allow')) === 'allow';
  }

  /**
   * The identity of an HTTP request's credentials; `undefined` without any when anonymous
   * callers are allowed. Refusals are the client's `401` (or `503`), audited and counted.
   */
  identify(
    headers: IncomingHttpHeaders,
    server: string,
    address?: string,
  ): MaybePromise<McpIdentity | undefined> {
    let found: MaybePromise<McpIdentity | undefined>;
    try {
      found = this.authenticator.authenticate(headers);
    } catch (error) {
      throw this.refusal(error, server, address);
    }
    if (!isPromiseLike(found)) return this.admitted(found, server, address);
    return found.then(
      (identity) => this.admitted(identity, server, address),
      (error: unknown) => {
        throw this.refusal(error, server, address);
      },
    );
  }

  /** `identity`, or the `401` for a request without credentials that must have some. */
  private admitted(
    identity: McpIdentity | undefined,
    server: string,
    address: string | undefined,
  ): McpIdentity | undefined {
    if (identity || this.allowsAnonymous) return identity;
    this.publish({ server, stage: 'authentication', reason: 'missing', address });
    throw this.challenges.unauthenticated();
  }

  /** The `401` (audited and counted) for a bad credential; any other error as it is. */
  private refusal(error: unknown, server: string, address: string | undefined): unknown {
    if (!isAuthenticationFailure(error)) return error;
    this.publish({ server, stage: 'authentication', reason: error.reason, address });
    return this.challenges.unauthenticated(error);
  }

  /** The access decisions of `server`. */
  accessOf(server: string): ServerAccess {
    let access = this.access.get(server);
    if (!access) {
      access = new ServerAccess(
        server,
        this.servers.get(server).registry,
        this.reflector,
        this.settings,
        this.isKilled,
      );
      this.access.set(server, access);
    }
    return access;
  }

  /**
   * Something decisions read has changed (a policy reload): every view is recomputed and every
   * client told that its lists may have changed.
   */
  changed(): void {
    for (const access of this.access.values()) access.invalidate();
    for (const host of this.servers.all()) {
      if (!this.protects(host.name)) continue;
      host.notifyListChanged('tools');
      host.notifyListChanged('resources');
      host.notifyListChanged('prompts');
    }
  }

  /** The registry of `server`. */
  registryOf(server: string) {
    return this.servers.get(server).registry;
  }

  /** Whether this module protects `server`. */
  protects(server: string): boolean {
    return !this.options.servers || this.options.servers.includes(server);
  }

  /** The refusal of a denied call, published for the audit and the metrics. */
  publish(event: AccessEvent): void {
    if (accessEvents.hasSubscribers) accessEvents.publish(event);
  }

  /** RFC 9728 metadata of this resource. */
  metadata(): ProtectedResourceMetadata | undefined {
    const o = this.options;
    if (!o.resource || !this.authenticator.acceptsBearer) return undefined;
    const issuers = o.jwt
      ? typeof o.jwt.issuer === 'string'
        ? [o.jwt.issuer]
        : [...o.jwt.issuer]
      : [];
    return {
      resource: o.resource,
      authorization_servers: [...(o.authorizationServers ?? issuers)],
      scopes_supported: [...(o.scopesSupported ?? this.scopesInUse())],
      bearer_methods_supported: ['header'],
      ...(o.resourceName && { resource_name: o.resourceName }),
    };
  }

  /**
   * For the admin endpoints: the caller's identity when it holds the admin scope; the `401` or
   * `403` otherwise.
   */
  async authorizeAdmin(
    headers: IncomingHttpHeaders,
    server = 'admin',
    address?: string,
  ): Promise<McpIdentity> {
    const scope = this.options.adminScope ?? DEFAULT_ADMIN_SCOPE;
    const identity = await this.identify(headers, server, address);
    if (!identity) {
      // Anonymous callers are let in elsewhere (`anonymous: 'allow'`), never here.
      this.publish({ server, stage: 'authentication', reason: 'missing', address });
      throw this.challenges.unauthenticated();
    }
    if (!identity.scopes?.includes(scope)) {
      this.publish({
        server,
        stage: 'authorization',
        reason: 'insufficient-scope',
        subject: identity.subject,
        target: 'admin',
      });
      throw this.challenges.insufficientScope([scope]);
    }
    return identity;
  }

  private scopesInUse(): string[] {
    const scopes = new Set<string>();
    for (const host of this.servers.all()) {
      if (!this.protects(host.name)) continue;
      const access = this.accessOf(host.name);
      const r = host.registry;
      for (const entry of [
        ...r.tools.list(),
        ...r.resources.list(),
        ...r.templates.list(),
        ...r.prompts.list(),
      ])
        for (const s of access.accessOf(entry).scopes) scopes.add(s);
    }
    return [...scopes].sort();
  }

  private readonly isKilled = (server: string, target: string): boolean =>
    this.killed.size > 0 &&
    (this.killed.has(server) || this.killed.has(`${server}\u0000${target}`));

  private async refreshKillSwitches(): Promise<void> {
    let switches: KillSwitch[];
    try {
      switches = await this.killSwitches!.list();
    } catch (error) {
      this.logger.warn(
        `Kill switches could not be read; the last known ones stay: ${String(error)}`,
      );
      return;
    }
    const next = new Set(
      switches.map((k) => (k.target ? `${k.server}\u0000${k.target}` : k.server)),
    );
    if (sameSet(next, this.killed)) return;
    this.killed = next;
    this.changed();
  }
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
