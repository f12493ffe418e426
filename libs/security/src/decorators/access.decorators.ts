import { Reflector } from '@nestjs/core';
import type { RiskLevel } from '../interfaces/security-module-options.interface';
import { SecurityDefinitionError } from '../errors/security-definition.error';
import { INVALID_DECORATOR } from '../errors/messages.constant';
import { PUBLIC_KEY, RISK_KEY, ROLES_KEY, SCOPES_KEY, TAGS_KEY } from '../security.constants';

/** Typed metadata of {@link Public}. */
export const PublicMetadata = Reflector.createDecorator<true>({ key: PUBLIC_KEY });
/** Typed metadata of {@link Scopes}. */
export const ScopesMetadata = Reflector.createDecorator<readonly string[]>({ key: SCOPES_KEY });
/** Typed metadata of {@link Roles}. */
export const RolesMetadata = Reflector.createDecorator<readonly string[]>({ key: ROLES_KEY });
/** Typed metadata of {@link Tags}. */
export const TagsMetadata = Reflector.createDecorator<readonly string[]>({ key: TAGS_KEY });
/** Typed metadata of {@link Risk}. */
export const RiskMetadata = Reflector.createDecorator<RiskLevel>({ key: RISK_KEY });

/** The risk levels, lowest first. */
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

type ClassOrMethodDecorator = ClassDecorator & MethodDecorator;

/**
 * Anyone may see and use the primitive, anonymous callers included (when the module lets
 * anonymous requests in at all: `anonymous: 'allow'`). On a class, every primitive of it.
 *
 * @example
 * ```ts
 * @Public()
 * @Tool({ name: 'status', description: 'Service status' })
 * status() { return 'ok'; }
 * ```
 */
export function Public(): ClassOrMethodDecorator {
  return PublicMetadata(true) as ClassOrMethodDecorator;
}

/**
 * The OAuth scopes a caller needs, all of them, to see and use the primitive. A caller without
 * them does not see it in lists; calling it answers `403` with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`, so that a client can ask for
 * a token with more scopes (step-up). On a class, every primitive of it; a method's own
 * `@Scopes()` replaces the class's.
 *
 * @example
 * ```ts
 * @Scopes('scrape:read')
 * @Tool({ name: 'scrape_url', description: 'Fetch a web page' })
 * ```
 */
export function Scopes(...scopes: string[]): ClassOrMethodDecorator {
  return withValidList('Scopes', scopes, ScopesMetadata, /^[\x21\x23-\x5b\x5d-\x7e]+$/);
}

/**
 * Roles that may see and use the primitive: a caller needs any one of them. Roles come from the
 * token's `roles` claim (or the API key's roles). On a class, every primitive of it.
 *
 * @example
 * ```ts
 * @Roles('admin', 'operator')
 * @Tool({ name: 'purge_cache', description: 'Empty the cache', annotations: { destructiveHint: true } })
 * ```
 */
export function Roles(...roles: string[]): ClassOrMethodDecorator {
  return withValidList('Roles', roles, RolesMetadata, /^\S+$/);
}

/**
 * Tags of the primitive, for governance rules (`disable: [{ tags: ['beta'], environments:
 * ['production'] }]`) and Cedar policies (`resource.tags.contains("finance")`). Class and method
 * tags add up.
 *
 * @example
 * ```ts
 * @Tags('finance', 'beta')
 * ```
 */
export function Tags(...tags: string[]): ClassOrMethodDecorator {
  return withValidList('Tags', tags, TagsMetadata, /^\S+$/);
}

/**
 * Declares the primitive's risk, for `governance.maxRisk` and policies. Without it, a tool's
 * risk comes from its annotations: `destructiveHint` is `high`, `readOnlyHint` is `low`, any other
 * tool `medium`; resources and prompts are `low`.
 *
 * @example
 * ```ts
 * @Risk('critical')
 * @Tool({ name: 'wire_money', description: 'Send a payment' })
 * ```
 */
export function Risk(level: RiskLevel): ClassOrMethodDecorator {
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (!RISK_LEVELS.includes(level))
      throw new SecurityDefinitionError(
        INVALID_DECORATOR(
          'Risk',
          where(target, key),
          `the level must be one of ${RISK_LEVELS.join(', ')}`,
        ),
      );
    (RiskMetadata(level) as (t: object, k?: string | symbol, d?: PropertyDescriptor) => void)(
      target,
      key,
      descriptor,
    );
  }) as ClassOrMethodDecorator;
}

function withValidList(
  name: string,
  values: string[],
  metadata: (value: readonly string[]) => ClassOrMethodDecorator,
  shape: RegExp,
): ClassOrMethodDecorator {
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const at = where(target, key);
    if (values.length === 0)
      throw new SecurityDefinitionError(INVALID_DECORATOR(name, at, 'give at least one value'));
    for (const value of values)
      if (typeof value !== 'string' || !shape.test(value))
        throw new SecurityDefinitionError(
          INVALID_DECORATOR(name, at, `${JSON.stringify(value)} is not a valid value`),
        );
    (
      metadata(Object.freeze([...new Set(values)])) as (
        t: object,
        k?: string | symbol,
        d?: PropertyDescriptor,
      ) => void
    )(target, key, descriptor);
  }) as ClassOrMethodDecorator;
}

function where(target: object, key?: string | symbol): string {
  const type = typeof target === 'function' ? target : target.constructor;
  return key === undefined ? type.name : `${type.name}.${String(key)}`;
}
