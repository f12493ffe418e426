import type { McpIdentity } from '@rampart/core';
import { RISK_LEVELS } from '../decorators/access.decorators';
import type {
  AccessRule,
  GovernanceOptions,
  RiskLevel,
} from '../interfaces/security-module-options.interface';
import type { PolicyDecision, PolicyRequest } from '../policy/policy.interfaces';
import type { EntryAccess } from './entry-access';

/**
 * Why a caller may not use a primitive: short kebab-case words from this fixed set, used as
 * metric labels and in the audit.
 *
 * - `read-only`, `disabled`, `risk`, `killed`: governance hid it from everyone it applies to;
 * - `unauthenticated`: it needs an identity and the caller has none (`401`);
 * - `insufficient-scope`: the caller lacks a scope it needs (`403`, step-up);
 * - `role`: the caller has none of its roles; `denied-by-default`: nothing allows it;
 * - `policy`: a Cedar policy denied it (`403` on a call).
 */
export type AccessDenial =
  | 'read-only'
  | 'disabled'
  | 'risk'
  | 'killed'
  | 'unauthenticated'
  | 'insufficient-scope'
  | 'role'
  | 'denied-by-default'
  | 'policy';

/** What decides policies: `PolicyEngine`, or anything that answers the same way. */
export interface PolicyAuthorizer {
  authorize(request: PolicyRequest): PolicyDecision;
  /** Tells `listener` when the policies change (a reload); returns an unsubscribe function. */
  onChange?(listener: () => void): () => void;
  /** Releases watchers. */
  close?(): void;
}

/** Everything a decision reads besides the primitive and the caller. */
export interface AccessSettings {
  defaultAccess: 'authenticated' | 'public' | 'deny';
  governance: GovernanceOptions;
  environment: string;
  policy?: PolicyAuthorizer;
}

/** The outcome of one decision: allowed, or the denial and (for policies) who decided. */
export interface AccessOutcome {
  denial?: AccessDenial;
  /** The policies that decided, for the audit. */
  policies?: readonly string[];
  /** For `insufficient-scope`: every scope the primitive needs. */
  scopes?: readonly string[];
}

const ALLOWED: AccessOutcome = Object.freeze({});

/**
 * Decides whether `identity` may use a primitive: governance first (it applies to everyone),
 * then the primitive's own requirements, then the policies. The same function decides what a
 * list shows (without `call`) and whether a call goes ahead (with its method and arguments).
 */
export function decideAccess(
  access: EntryAccess,
  identity: McpIdentity | undefined,
  settings: AccessSettings,
  killed: (server: string, target: string) => boolean,
  call?: { method: string; arguments?: Readonly<Record<string, unknown>> },
): AccessOutcome {
  const resource = access.resource;
  const governance = settings.governance;
  if (governance.readOnly && !resource.readOnly) return { denial: 'read-only' };
  if (
    governance.maxRisk &&
    RISK_LEVELS.indexOf(resource.risk) > RISK_LEVELS.indexOf(governance.maxRisk)
  )
    return { denial: 'risk' };
  if (governance.disable?.some((rule) => matches(rule, access, identity, settings.environment)))
    return { denial: 'disabled' };
  if (killed(resource.server, resource.id)) return { denial: 'killed' };

  if (!access.public) {
    if (!access.declared && settings.defaultAccess === 'deny')
      return { denial: 'denied-by-default' };
    if (access.declared || settings.defaultAccess === 'authenticated') {
      if (!identity) return { denial: 'unauthenticated' };
      const held = identity.scopes ?? [];
      if (access.scopes.some((s) => !held.includes(s)))
        return { denial: 'insufficient-scope', scopes: access.scopes };
      if (access.roles.length > 0 && !access.roles.some((r) => identity.roles?.includes(r)))
        return { denial: 'role' };
    }
  }

  if (settings.policy) {
    // Built by assignment, not with spreads of optional parts: on the server's call path the
    // spreads took 0.34-0.40 µs per decision on Node 24 (over 2 µs on Node 20), this 0.19 µs
    // (the clock read included).
    const context: Record<string, unknown> = {};
    if (identity?.tenant !== undefined) context.tenant = identity.tenant;
    context.environment = settings.environment;
    context.now = Math.floor(Date.now() / 1000);
    if (call?.arguments) context.arguments = call.arguments;
    const decision = settings.policy.authorize({
      principal: identity,
      action: call?.method ?? ACTION_OF[resource.kind],
      resource,
      context,
    });
    if (!decision.allowed) return { denial: 'policy', policies: decision.policies };
  }
  return ALLOWED;
}

/** The method that uses a primitive of each kind: the action a list asks the policies about. */
export const ACTION_OF = {
  Tool: 'tools/call',
  Resource: 'resources/read',
  ResourceTemplate: 'resources/read',
  Prompt: 'prompts/get',
} as const;

function matches(
  rule: AccessRule,
  access: EntryAccess,
  identity: McpIdentity | undefined,
  environment: string,
): boolean {
  const r = access.resource;
  if (rule.tags && !rule.tags.some((t) => r.tags.includes(t))) return false;
  if (rule.names && !rule.names.includes(r.id)) return false;
  if (rule.riskAtLeast && RISK_LEVELS.indexOf(r.risk) < RISK_LEVELS.indexOf(rule.riskAtLeast))
    return false;
  if (rule.environments && !rule.environments.includes(environment)) return false;
  if (rule.tenants && !(identity?.tenant !== undefined && rule.tenants.includes(identity.tenant)))
    return false;
  if (rule.roles && !rule.roles.some((role) => identity?.roles?.includes(role))) return false;
  return true;
}

/** Whether a risk level is valid. */
export const isRiskLevel = (v: unknown): v is RiskLevel => RISK_LEVELS.includes(v as RiskLevel);
