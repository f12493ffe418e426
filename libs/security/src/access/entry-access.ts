import type { Reflector } from '@nestjs/core';
import type { McpListedEntry } from '@rampart/core';
import {
  PublicMetadata,
  RiskMetadata,
  RolesMetadata,
  ScopesMetadata,
  TagsMetadata,
} from '../decorators/access.decorators';
import type { RiskLevel } from '../interfaces/security-module-options.interface';
import type { PolicyResource, PolicyResourceKind } from '../policy/policy.interfaces';

/** What the decorators and annotations of one primitive say about who may use it. */
export interface EntryAccess {
  /** `@Public()`. */
  public: boolean;
  /** Scopes a caller needs, all of them (`@Scopes()`). */
  scopes: readonly string[];
  /** Roles of which a caller needs one (`@Roles()`). */
  roles: readonly string[];
  /** Whether the primitive declares any requirement (`@Public()`, `@Scopes()`, `@Roles()`). */
  declared: boolean;
  /** The primitive as policies see it: kind, id, tags, risk, annotations. */
  resource: PolicyResource;
}

/** The access facts of an entry, read once from its decorators (method over class). */
export function entryAccess(
  entry: McpListedEntry,
  server: string,
  reflector: Reflector,
): EntryAccess {
  const handler = entry.handler;
  const targets = handler.kind === 'method' ? [handler.method, handler.type] : [];
  const read = <T>(decorator: Parameters<Reflector['getAllAndOverride']>[0]) =>
    targets.length ? (reflector.getAllAndOverride(decorator, targets) as T | undefined) : undefined;
  const isPublic = read<true>(PublicMetadata) === true;
  const scopes = read<readonly string[]>(ScopesMetadata) ?? [];
  const roles = read<readonly string[]>(RolesMetadata) ?? [];
  const tags = targets.length
    ? [...new Set(reflector.getAllAndMerge(TagsMetadata, targets) ?? [])]
    : [];
  const { kind, id } = identify(entry);
  const annotations =
    kind === 'Tool'
      ? ((entry.definition as { annotations?: Record<string, unknown> }).annotations ?? {})
      : {};
  const readOnly = kind !== 'Tool' || annotations.readOnlyHint === true;
  const destructive = kind === 'Tool' && !readOnly && annotations.destructiveHint !== false;
  const risk: RiskLevel =
    read<RiskLevel>(RiskMetadata) ??
    (readOnly ? 'low' : annotations.destructiveHint === true ? 'high' : 'medium');
  return {
    public: isPublic,
    scopes,
    roles,
    declared: isPublic || scopes.length > 0 || roles.length > 0,
    resource: {
      kind,
      id,
      server,
      tags,
      risk,
      readOnly,
      destructive,
      openWorld: kind === 'Tool' && annotations.openWorldHint !== false,
    },
  };
}

/** The kind and id (name, URI or URI template) of an entry. */
export function identify(entry: McpListedEntry): { kind: PolicyResourceKind; id: string } {
  if ('template' in entry) return { kind: 'ResourceTemplate', id: entry.definition.uriTemplate };
  if ('uri' in entry) return { kind: 'Resource', id: entry.uri };
  if ('inputSchema' in entry.definition) return { kind: 'Tool', id: entry.name };
  return { kind: 'Prompt', id: entry.name };
}
