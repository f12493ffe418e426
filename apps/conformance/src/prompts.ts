import { Injectable } from '@nestjs/common';
import { Args, Completion, Prompt } from '@rampart/core';
import { TEST_IMAGE_BASE64 } from './fixtures.constants';
import { EmbeddedResourceArgs, PromptWithArgumentsArgs } from './prompts.dto';

/**
 * Prompts and a completion. A prompt returns a string (one user message), an array of messages
 * or a full `GetPromptResult`; its arguments come from the `@Args()` DTO.
 */
@Injectable()
export class ConformancePrompts {
  @Prompt({ name: 'test_simple_prompt', description: 'A simple prompt without arguments' })
  simple() {
    return 'This is a simple prompt for testing.';
  }

  @Prompt({
    name: 'test_prompt_with_arguments',
    description: 'A prompt with two required arguments',
  })
  withArguments(@Args() { arg1, arg2 }: PromptWithArgumentsArgs) {
    return `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`;
  }

  @Prompt({
    name: 'test_prompt_with_embedded_resource',
    description: 'A prompt that embeds a resource',
  })
  withEmbeddedResource(@Args() { resourceUri }: EmbeddedResourceArgs) {
    return [
      {
        role: 'user' as const,
        content: {
          type: 'resource' as const,
          resource: {
            uri: resourceUri,
            mimeType: 'text/plain',
            text: 'Embedded resource content for testing.',
          },
        },
      },
      {
        role: 'user' as const,
        content: { type: 'text' as const, text: 'Please process the embedded resource above.' },
      },
    ];
  }

  @Prompt({ name: 'test_prompt_with_image', description: 'A prompt that includes an image' })
  withImage() {
    return [
      {
        role: 'user' as const,
        content: { type: 'image' as const, data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
      },
      {
        role: 'user' as const,
        content: { type: 'text' as const, text: 'Please analyze the image above.' },
      },
    ];
  }

  @Completion({ prompt: 'test_prompt_with_arguments', argument: 'arg1' })
  completeArg1(@Args() { value }: { value: string }) {
    return ['test', 'testing', 'tested'].filter((v) => v.startsWith(value) && v !== value);
  }
}
