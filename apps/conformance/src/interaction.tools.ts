import { Injectable } from '@nestjs/common';
import { Args, Ctx, McpContext, Tool } from '@rampart/core';
import { pause } from './fixtures.constants';
import { ElicitationInput, SamplingInput } from './interaction.dto';

/**
 * Tools that talk back to the client during the call: log messages, sampling and elicitation.
 * On 2025-11-25 these travel as notifications and server-to-client requests on the call's SSE
 * stream; on 2026-07-28 `sample`/`elicit` end the round with an `input_required` result instead.
 */
@Injectable()
export class InteractionTools {
  @Tool({
    name: 'test_tool_with_logging',
    description: 'Sends three info log messages while it runs',
  })
  async withLogging(@Ctx() ctx: McpContext) {
    ctx.log('info', 'Tool execution started');
    await pause(50, ctx.signal);
    ctx.log('info', 'Tool processing data');
    await pause(50, ctx.signal);
    ctx.log('info', 'Tool execution completed');
    return 'Tool with logging executed successfully';
  }

  @Tool({
    name: 'test_sampling',
    description: "Asks the client's model to answer a prompt (sampling)",
  })
  async sampling(@Args() { prompt }: SamplingInput, @Ctx() ctx: McpContext) {
    const result = await ctx.sample({
      messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
      maxTokens: 100,
    });
    const content = Array.isArray(result.content) ? result.content[0] : result.content;
    const text = content?.type === 'text' ? content.text : JSON.stringify(content);
    return `LLM response: ${text}`;
  }

  @Tool({
    name: 'test_elicitation',
    description: 'Asks the user for a username and an email address (elicitation)',
  })
  async elicitation(@Args() { message }: ElicitationInput, @Ctx() ctx: McpContext) {
    const result = await ctx.elicit({
      message,
      requestedSchema: {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" },
        },
        required: ['username', 'email'],
      },
    });
    return `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  }

  @Tool({
    name: 'test_elicitation_sep1034_defaults',
    description: 'Elicits fields of every primitive type, each with a default (SEP-1034)',
  })
  async elicitationDefaults(@Ctx() ctx: McpContext) {
    const result = await ctx.elicit({
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: {
            type: 'string',
            description: 'User status',
            enum: ['active', 'inactive', 'pending'],
            default: 'active',
          },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
        required: [],
      },
    });
    return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  }

  @Tool({
    name: 'test_elicitation_sep1330_enums',
    description: 'Elicits the five kinds of enum fields (SEP-1330)',
  })
  async elicitationEnums(@Ctx() ctx: McpContext) {
    const result = await ctx.elicit({
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: {
            type: 'string',
            description: 'Select one option',
            enum: ['option1', 'option2', 'option3'],
          },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: [
              { const: 'value1', title: 'First Option' },
              { const: 'value2', title: 'Second Option' },
              { const: 'value3', title: 'Third Option' },
            ],
          },
          legacyEnum: {
            type: 'string',
            description: 'Select one option (legacy)',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three'],
          },
          untitledMulti: {
            type: 'array',
            description: 'Select multiple options',
            minItems: 1,
            maxItems: 3,
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: {
              anyOf: [
                { const: 'value1', title: 'First Choice' },
                { const: 'value2', title: 'Second Choice' },
                { const: 'value3', title: 'Third Choice' },
              ],
            },
          },
        },
        required: [],
      },
    });
    return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
  }
}
