import { Reflector } from '@nestjs/core';
import { McpDefinitionError } from '../errors/mcp-definition.error';
import { INVALID_DECORATOR_OPTION } from '../errors/messages.constant';
import type { CompletionOptions, PromptOptions } from '../interfaces/primitive-options.interface';
import { describeMember } from './tool.decorator';
import { versioningProblem } from './versioning.util';

/** Typed metadata of `@Prompt()`, with the name resolved. */
export const PromptMetadata = Reflector.createDecorator<PromptOptions & { name: string }>();
/** Typed metadata of `@Completion()`. */
export const CompletionMetadata = Reflector.createDecorator<CompletionOptions>();

/**
 * Declares a method as an MCP prompt. Its arguments come from a DTO (the `@Args()` type or
 * `arguments`); it returns a string (one user message), an array of messages, or a full
 * `GetPromptResult`.
 *
 * @example
 * ```ts
 * @Prompt({ description: 'Summarise a page' })
 * summarise(@Args() { url }: SummariseArgs) { return `Summarise ${url} in three bullet points.`; }
 * ```
 */
export function Prompt(options: PromptOptions = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const problem = versioningProblem(options);
    if (problem)
      throw new McpDefinitionError(
        INVALID_DECORATOR_OPTION('Prompt', describeMember(target, key), problem),
      );
    PromptMetadata({ ...options, name: options.name ?? String(key) })(target, key, descriptor);
  };
}

/**
 * Completes one argument of a prompt or of a resource template. The method receives
 * `@Args()` `{ value, arguments }` (the partial value and the other arguments already filled)
 * and returns the candidate values (at most 100 are sent).
 *
 * @example
 * ```ts
 * @Completion({ prompt: 'summarise', argument: 'style' })
 * styles(@Args() { value }: CompletionRequest) { return ['brief', 'detailed'].filter((s) => s.startsWith(value)); }
 * ```
 */
export function Completion(options: CompletionOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = describeMember(target, key);
    if (!options?.argument || !options.prompt === !options.resourceTemplate)
      throw new McpDefinitionError(
        INVALID_DECORATOR_OPTION(
          'Completion',
          where,
          'give "argument" and exactly one of "prompt" or "resourceTemplate"',
        ),
      );
    CompletionMetadata(options)(target, key, descriptor);
  };
}
