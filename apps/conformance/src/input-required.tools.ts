import { Injectable } from '@nestjs/common';
import { Ctx, McpContext, Prompt, Tool } from '@rampart/core';

const NAME_FORM = {
  type: 'object' as const,
  properties: { name: { type: 'string' as const } },
  required: ['name'],
};

const CONFIRM_FORM = {
  type: 'object' as const,
  properties: { ok: { type: 'boolean' as const } },
  required: ['ok'],
};

/** The text of the first text block of a sampling answer. */
function sampledText(result: { content: unknown }): string {
  const block = (Array.isArray(result.content) ? result.content[0] : result.content) as
    { type?: string; text?: string } | undefined;
  return block?.type === 'text' ? String(block.text) : JSON.stringify(block);
}

/**
 * Multi-round tools (2026-07-28 `input_required` results, SEP-2322). Each handler is written
 * straight through: `ctx.elicit()`, `ctx.sample()`, `ctx.listRoots()` and `ctx.askAll()` end the
 * round with an `input_required` result when the answer is not there yet, and the handler runs
 * again from the start when the client calls back with the answers. Earlier rounds' answers
 * come back through the signed `requestState`.
 */
@Injectable()
export class InputRequiredTools {
  @Tool({
    name: 'test_input_required_result_elicitation',
    description: "Asks the user's name through elicitation, then greets them",
  })
  async elicitation(@Ctx() ctx: McpContext) {
    const answer = await ctx.elicit(
      { message: 'What is your name?', requestedSchema: NAME_FORM },
      'user_name',
    );
    return answer.action === 'accept'
      ? `Hello, ${String(answer.content?.name)}!`
      : `No name given (${answer.action})`;
  }

  @Tool({
    name: 'test_input_required_result_sampling',
    description: "Asks the client's model a question through sampling",
  })
  async sampling(@Ctx() ctx: McpContext) {
    const answer = await ctx.sample(
      {
        messages: [
          { role: 'user', content: { type: 'text', text: 'What is the capital of France?' } },
        ],
        maxTokens: 100,
      },
      'sample_request',
    );
    return `Sampling result: ${sampledText(answer)}`;
  }

  @Tool({
    name: 'test_input_required_result_list_roots',
    description: 'Asks the client for its roots',
  })
  async listRoots(@Ctx() ctx: McpContext) {
    const { roots } = await ctx.listRoots('roots_request');
    return `Found ${roots.length} root(s): ${roots.map((r) => r.uri).join(', ')}`;
  }

  @Tool({
    name: 'test_input_required_result_request_state',
    description: 'Asks for a confirmation; the answer round carries the signed requestState',
  })
  async requestState(@Ctx() ctx: McpContext) {
    const answer = await ctx.elicit(
      { message: 'Please confirm', requestedSchema: CONFIRM_FORM },
      'confirm',
    );
    return `state-ok: requestState validated (confirmed=${String(answer.content?.ok ?? false)})`;
  }

  @Tool({
    name: 'test_input_required_result_multiple_inputs',
    description: 'Asks for an elicitation, a sampling and the roots in one round',
  })
  async multipleInputs(@Ctx() ctx: McpContext) {
    const answers = await ctx.askAll({
      user_name: {
        method: 'elicitation/create',
        params: { message: 'What is your name?', requestedSchema: NAME_FORM },
      },
      greeting: {
        method: 'sampling/createMessage',
        params: {
          messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
          maxTokens: 50,
        },
      },
      client_roots: { method: 'roots/list', params: {} },
    });
    const name = (answers.user_name as { content?: { name?: string } }).content?.name;
    const greeting = sampledText(answers.greeting as { content: unknown });
    const roots = (answers.client_roots as { roots: unknown[] }).roots.length;
    return `Multiple inputs complete: name=${name}, greeting=${greeting}, roots=${roots}`;
  }

  @Tool({
    name: 'test_input_required_result_multi_round',
    description: 'Asks two questions in two successive rounds',
  })
  async multiRound(@Ctx() ctx: McpContext) {
    const first = await ctx.elicit(
      { message: 'Step 1: What is your name?', requestedSchema: NAME_FORM },
      'step1',
    );
    const second = await ctx.elicit(
      {
        message: 'Step 2: What is your favorite color?',
        requestedSchema: {
          type: 'object',
          properties: { color: { type: 'string' } },
          required: ['color'],
        },
      },
      'step2',
    );
    return `Multi-round complete for ${String(first.content?.name)} who likes ${String(second.content?.color)}`;
  }

  @Tool({
    name: 'test_input_required_result_tampered_state',
    description: 'Asks for a confirmation; a tampered requestState is rejected',
  })
  async tamperedState(@Ctx() ctx: McpContext) {
    await ctx.elicit({ message: 'Please confirm', requestedSchema: CONFIRM_FORM }, 'confirm');
    return 'integrity-ok: state verified';
  }

  @Tool({
    name: 'test_input_required_result_capabilities',
    description: 'Asks only for what the client declared it can answer',
  })
  async capabilities(@Ctx() ctx: McpContext) {
    const declared = ctx.clientCapabilities ?? {};
    const requests: Parameters<McpContext['askAll']>[0] = {};
    if (declared.elicitation)
      requests.elicit_input = {
        method: 'elicitation/create',
        params: { message: 'Provide input', requestedSchema: NAME_FORM },
      };
    if (declared.sampling)
      requests.sample_input = {
        method: 'sampling/createMessage',
        params: {
          messages: [{ role: 'user', content: { type: 'text', text: 'Sample request' } }],
          maxTokens: 50,
        },
      };
    if (declared.roots) requests.client_roots = { method: 'roots/list', params: {} };
    if (Object.keys(requests).length === 0)
      return 'The client declared no capability to answer with';
    const answers = await ctx.askAll(requests);
    return `Capability-aware inputs answered: ${Object.keys(answers).join(', ')}`;
  }

  @Prompt({
    name: 'test_input_required_result_prompt',
    description: 'A prompt that asks the user for its context first',
  })
  async prompt(@Ctx() ctx: McpContext) {
    const answer = await ctx.elicit(
      {
        message: 'What context should the prompt use?',
        requestedSchema: {
          type: 'object',
          properties: { context: { type: 'string' } },
          required: ['context'],
        },
      },
      'user_context',
    );
    return `Prompt with context: ${String(answer.content?.context)}`;
  }
}
