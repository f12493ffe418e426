import type { McpIdentity } from '@rampart/core';

/** The kinds of primitive a policy's `resource` can be. */
export type PolicyResourceKind = 'Tool' | 'Resource' | 'ResourceTemplate' | 'Prompt';

/**
 * The primitive a request is about, as Cedar sees it: `Rampart::Tool::"scrape_url"` (and
 * `Rampart::Resource`, `Rampart::ResourceTemplate`, `Rampart::Prompt`), a member of
 * `Rampart::Server::"<server>"`, with its annotations, tags and risk as attributes.
 */
export interface PolicyResource {
  kind: PolicyResourceKind;
  /** Tool or prompt name, resource URI or URI template. */
  id: string;
  server: string;
  tags: readonly string[];
  risk: 'low' | 'medium' | 'high' | 'critical';
  readOnly: boolean;
  destructive: boolean;
  openWorld: boolean;
}

/** One authorization question: may this caller do this action on this primitive? */
export interface PolicyRequest {
  /** The caller; `undefined` for anonymous callers (`Rampart::Anonymous::"anonymous"`). */
  principal: McpIdentity | undefined;
  /** The MCP method: `Rampart::Action::"tools/call"`, `"resources/read"`, `"prompts/get"`. */
  action: string;
  resource: PolicyResource;
  /**
   * The request's context: `tenant`, `environment`, `now` (seconds since the epoch), and, on
   * calls (not on lists), `arguments`.
   */
  context: Record<string, unknown>;
}

/**
 * What the policies decided. A {@link PolicyEngine} hands out the same frozen decision for
 * repeated requests: read it, never change it.
 */
export interface PolicyDecision {
  readonly allowed: boolean;
  /**
   * Ids of the policies that decided (the `@id("…")` annotation when a policy has one, else
   * Cedar's `policyN`); empty when nothing permitted (Cedar's default deny).
   */
  readonly policies: readonly string[];
  /** Evaluation errors (a policy that failed on this request is skipped by Cedar). */
  readonly errors: readonly string[];
}
