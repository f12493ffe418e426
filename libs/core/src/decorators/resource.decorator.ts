import { Reflector } from '@nestjs/core';
import { McpDefinitionError } from '../errors/mcp-definition.error';
import { INVALID_DECORATOR_OPTION } from '../errors/messages.constant';
import type {
  ResourceOptions,
  ResourceTemplateOptions,
} from '../interfaces/primitive-options.interface';
import { describeMember } from './tool.decorator';
import { versioningProblem } from './versioning.util';

/** Typed metadata of `@Resource()`, with the name resolved. */
export const ResourceMetadata = Reflector.createDecorator<ResourceOptions & { name: string }>();
/** Typed metadata of `@ResourceTemplate()`, with the name resolved. */
export const ResourceTemplateMetadata = Reflector.createDecorator<
  ResourceTemplateOptions & { name: string }
>();

/**
 * Declares a method as a fixed MCP resource. It returns a string (text), a `Buffer` or
 * `Uint8Array` (blob), or a full `ReadResourceResult`.
 *
 * @example
 * ```ts
 * @Resource({ uri: 'config://app', mimeType: 'application/json' })
 * config() { return JSON.stringify(this.settings); }
 * ```
 */
export function Resource(options: ResourceOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = describeMember(target, key);
    if (
      !options ||
      typeof options.uri !== 'string' ||
      !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(options.uri)
    )
      throw new McpDefinitionError(
        INVALID_DECORATOR_OPTION(
          'Resource',
          where,
          `"uri" must be an absolute URI, got ${JSON.stringify(options?.uri)}`,
        ),
      );
    const problem = versioningProblem(options);
    if (problem) throw new McpDefinitionError(INVALID_DECORATOR_OPTION('Resource', where, problem));
    ResourceMetadata({ ...options, name: options.name ?? String(key) })(target, key, descriptor);
  };
}

/**
 * Declares a method as an MCP resource template (RFC 6570). The template's variables arrive as
 * the `@Args()` object.
 *
 * @example
 * ```ts
 * @ResourceTemplate({ uriTemplate: 'page://{id}', mimeType: 'text/plain' })
 * page(@Args() { id }: { id: string }) { return this.pages.get(id); }
 * ```
 */
export function ResourceTemplate(options: ResourceTemplateOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = describeMember(target, key);
    if (!options || typeof options.uriTemplate !== 'string' || !options.uriTemplate.includes('{'))
      throw new McpDefinitionError(
        INVALID_DECORATOR_OPTION(
          'ResourceTemplate',
          where,
          `"uriTemplate" must be an RFC 6570 template with at least one {variable}, got ${JSON.stringify(options?.uriTemplate)}`,
        ),
      );
    const problem = versioningProblem(options);
    if (problem)
      throw new McpDefinitionError(INVALID_DECORATOR_OPTION('ResourceTemplate', where, problem));
    ResourceTemplateMetadata({ ...options, name: options.name ?? String(key) })(
      target,
      key,
      descriptor,
    );
  };
}
