import { Injectable } from '@nestjs/common';
import { Ctx, McpContext, Tool } from '@rampart/core';
import { pause, TEST_AUDIO_BASE64, TEST_IMAGE_BASE64 } from './fixtures.constants';

/**
 * Tools of both protocol eras that return each kind of content block, fail as a result, or
 * report progress. A method returns either a plain value (a string becomes one text block) or a
 * full `CallToolResult`.
 */
@Injectable()
export class ContentTools {
  @Tool({ name: 'test_simple_text', description: 'Returns a simple text response' })
  simpleText() {
    return 'This is a simple text response for testing.';
  }

  @Tool({ name: 'test_image_content', description: 'Returns an image (a 1x1 PNG)' })
  image() {
    return {
      content: [{ type: 'image' as const, data: TEST_IMAGE_BASE64, mimeType: 'image/png' }],
    };
  }

  @Tool({ name: 'test_audio_content', description: 'Returns an audio clip (a tiny WAV)' })
  audio() {
    return {
      content: [{ type: 'audio' as const, data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }],
    };
  }

  @Tool({ name: 'test_embedded_resource', description: 'Returns an embedded text resource' })
  embeddedResource() {
    return {
      content: [
        {
          type: 'resource' as const,
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    };
  }

  @Tool({
    name: 'test_multiple_content_types',
    description: 'Returns text, an image and an embedded resource',
  })
  multipleContentTypes() {
    return {
      content: [
        { type: 'text' as const, text: 'Multiple content types test:' },
        { type: 'image' as const, data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
        {
          type: 'resource' as const,
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    };
  }

  @Tool({
    name: 'test_error_handling',
    description: 'Always fails, with an error result (isError: true)',
  })
  errorHandling() {
    return {
      isError: true,
      content: [
        { type: 'text' as const, text: 'This tool intentionally returns an error for testing' },
      ],
    };
  }

  @Tool({
    name: 'test_tool_with_progress',
    description: 'Reports progress three times (0, 50, 100 of 100) before answering',
  })
  async withProgress(@Ctx() ctx: McpContext) {
    ctx.progress(0, undefined, 100);
    await pause(50, ctx.signal);
    ctx.progress(50, undefined, 100);
    await pause(50, ctx.signal);
    ctx.progress(100, undefined, 100);
    const token = ctx.meta?.progressToken;
    return typeof token === 'string' || typeof token === 'number'
      ? `${token}`
      : 'Progress test completed';
  }
}
