import { Injectable } from '@nestjs/common';
import { Ctx, McpContext, McpServerHost, Tool } from '@rampart/core';

/**
 * Diagnostic tools of the 2026-07-28 `server-stateless` scenario: capability checks, no
 * server-to-client requests on a response stream, log levels per request, and the change
 * notifications delivered on `subscriptions/listen` streams.
 */
@Injectable()
export class StatelessTools {
  constructor(private readonly host: McpServerHost) {}

  @Tool({
    name: 'test_missing_capability',
    description: "Needs the client's sampling capability: without it the call fails with -32021",
  })
  async missingCapability(@Ctx() ctx: McpContext) {
    const answer = await ctx.sample(
      { messages: [{ role: 'user', content: { type: 'text', text: 'Say hello' } }], maxTokens: 20 },
      'hello',
    );
    return `Sampled: ${JSON.stringify(answer.content)}`;
  }

  @Tool({
    name: 'test_streaming_elicitation',
    description:
      'Elicits input: on 2026-07-28 that is an input_required result, never a request on the stream',
  })
  async streamingElicitation(@Ctx() ctx: McpContext) {
    const answer = await ctx.elicit(
      {
        message: 'Anything to add?',
        requestedSchema: { type: 'object', properties: { note: { type: 'string' } } },
      },
      'note',
    );
    return `Elicitation answered: ${answer.action}`;
  }

  @Tool({
    name: 'test_logging_tool',
    description:
      'Logs at every level; the client receives only what its requested log level lets through',
  })
  logging(@Ctx() ctx: McpContext) {
    ctx.log('debug', 'Logging tool: debug');
    ctx.log('info', 'Logging tool: info');
    ctx.log('warning', 'Logging tool: warning');
    return 'Logging tool done';
  }

  @Tool({
    name: 'test_trigger_tool_change',
    description: 'Tells subscribed clients that the tool list changed',
  })
  triggerToolChange() {
    this.host.notifyListChanged('tools');
    return 'tools/list_changed sent';
  }

  @Tool({
    name: 'test_trigger_prompt_change',
    description: 'Tells subscribed clients that the prompt list changed',
  })
  triggerPromptChange() {
    this.host.notifyListChanged('prompts');
    return 'prompts/list_changed sent';
  }

  @Tool({
    name: 'test_trigger_resource_update',
    description: 'Tells subscribed clients that test://watched-resource changed',
  })
  triggerResourceUpdate() {
    this.host.notifyResourceUpdated('test://watched-resource');
    return 'resources/updated sent for test://watched-resource';
  }
}
