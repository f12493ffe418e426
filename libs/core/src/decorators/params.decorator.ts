import { assignMetadata, type PipeTransform, type Type } from '@nestjs/common';
import { MCP_PARAM_ARGS_METADATA } from '../mcp.constants';

/** Parameter kinds of MCP handlers. */
export enum McpParamType {
  ARGS = 0,
  CONTEXT = 1,
}

function createMcpParamDecorator(type: McpParamType) {
  return (
      property?: string,
      ...pipes: (Type<PipeTransform> | PipeTransform)[]
    ): ParameterDecorator =>
    (target, key, index) => {
      const args = Reflect.getMetadata(MCP_PARAM_ARGS_METADATA, target.constructor, key!) ?? {};
      Reflect.defineMetadata(
        MCP_PARAM_ARGS_METADATA,
        assignMetadata(args, type, index, property, ...pipes),
        target.constructor,
        key!,
      );
    };
}

/**
 * The call's arguments: a tool's validated input DTO, a template's URI variables, a prompt's
 * arguments. With a property name, that one property. Pipes given here run after validation.
 *
 * @example
 * ```ts
 * scrape(@Args() input: ScrapeUrlInput) {}
 * page(@Args('id') id: string) {}
 * ```
 */
export const Args: (
  property?: string,
  ...pipes: (Type<PipeTransform> | PipeTransform)[]
) => ParameterDecorator = createMcpParamDecorator(McpParamType.ARGS);

/**
 * The call's {@link McpContext}: identity, client, era, abort signal, progress, logging,
 * elicitation and sampling.
 *
 * @example
 * ```ts
 * scrape(@Args() input: ScrapeUrlInput, @Ctx() ctx: McpContext) { ctx.progress(0.5); }
 * ```
 */
export const Ctx: () => ParameterDecorator = () => createMcpParamDecorator(McpParamType.CONTEXT)();
