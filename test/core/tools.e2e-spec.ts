import type { Client } from '@modelcontextprotocol/client';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { FixtureModule } from '../fixtures/fixture.module';

const setups = mcpTestMatrix();

const text = (result: Awaited<ReturnType<Client['callTool']>>) =>
  (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('');

describe.each(setups)('tools over %s', (_name, setup) => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [FixtureModule],
      ...setup,
      client: {
        capabilities: { elicitation: { form: {} } },
      },
    });
  });

  afterAll(() => t.close());

  it('lists the tools in name order with schemas generated from the DTOs', async () => {
    const { tools } = await t.client.listTools();
    expect(tools.map((x) => x.name)).toEqual([
      'add',
      'crash',
      'echo',
      'explode',
      'greet',
      'guarded',
      'shout',
      'slow',
      'whoami',
    ]);
    const echo = tools.find((x) => x.name === 'echo')!;
    expect(echo.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string', minLength: 1 } },
      required: ['text'],
    });
    expect(echo.annotations).toEqual({ readOnlyHint: true });
  });

  it('calls a tool', async () => {
    expect(text(await t.client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
  });

  it('answers invalid arguments with isError and field-level messages, then serves the next call', async () => {
    const bad = await t.client.callTool({
      name: 'add',
      arguments: { a: 'x', b: 2, address: { city: 3 } },
    });
    expect(bad.isError).toBe(true);
    const body = JSON.parse(text(bad));
    expect(body.code).toBe('INVALID_ARGUMENTS');
    const paths = body.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['a', 'address.city']));
    const good = await t.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    expect(good.structuredContent).toEqual({ sum: 3 });
  });

  it('rejects an unknown tool with a JSON-RPC error and keeps serving', async () => {
    await expect(t.client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(
      /Unknown tool: nope/,
    );
    expect(text(await t.client.callTool({ name: 'echo', arguments: { text: 'still here' } }))).toBe(
      'still here',
    );
  });

  it('runs guards on tools: a denied call is a FORBIDDEN tool error', async () => {
    expect(text(await t.client.callTool({ name: 'guarded', arguments: { text: 'ok' } }))).toBe(
      'ok',
    );
    const denied = await t.client.callTool({
      name: 'guarded',
      arguments: { text: 'ok', deny: true },
    });
    expect(denied.isError).toBe(true);
    expect(JSON.parse(text(denied))).toMatchObject({ code: 'FORBIDDEN', retryable: false });
  });

  it('runs interceptors and parameter pipes on tools', async () => {
    expect(text(await t.client.callTool({ name: 'shout', arguments: { text: '  quiet  ' } }))).toBe(
      'QUIET!',
    );
  });

  it('runs exception filters on tools', async () => {
    const result = await t.client.callTool({ name: 'explode', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.parse(text(result))).toEqual({
      code: 'BOOM_HANDLED',
      message: 'filtered: kaboom',
      retryable: true,
      retryAfterMs: 50,
    });
  });

  it('masks unexpected errors and gives a correlation id', async () => {
    const result = await t.client.callTool({ name: 'crash', arguments: {} });
    expect(result.isError).toBe(true);
    const body = JSON.parse(text(result));
    expect(body.code).toBe('INTERNAL_ERROR');
    expect(text(result)).not.toContain('password');
    expect(body.details.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives the tool its McpContext', async () => {
    const result = JSON.parse(text(await t.client.callTool({ name: 'whoami', arguments: {} })));
    expect(result).toEqual({
      era: setup.era,
      transport: setup.transport,
      client: 'rampart-test',
      server: 'fixture',
      subject: null,
    });
  });

  it('delivers progress notifications', async () => {
    const seen: number[] = [];
    const result = await t.client.callTool(
      { name: 'slow', arguments: {} },
      { onprogress: (p) => seen.push(p.progress) },
    );
    expect(text(result)).toBe('done');
    expect(seen).toEqual([1, 2]);
  });

  it('asks the user through elicitation in either era', async () => {
    t.client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Ada' },
    }));
    expect(text(await t.client.callTool({ name: 'greet', arguments: {} }))).toBe('Hello, Ada');
  });

  it('reads fixed resources and templates, and rejects unknown ones', async () => {
    const { resources } = await t.client.listResources();
    expect(resources).toEqual([
      {
        uri: 'fixture://readme',
        name: 'readme',
        mimeType: 'text/plain',
        description: 'A fixed text',
      },
    ]);
    const { resourceTemplates } = await t.client.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(['fixture://items/{id}']);
    const fixed = await t.client.readResource({ uri: 'fixture://readme' });
    expect(fixed.contents).toEqual([
      { uri: 'fixture://readme', mimeType: 'text/plain', text: 'Read me' },
    ]);
    const item = await t.client.readResource({ uri: 'fixture://items/42' });
    expect(item.contents[0]).toMatchObject({ uri: 'fixture://items/42', text: '{"id":"42"}' });
    await expect(t.client.readResource({ uri: 'fixture://nothing' })).rejects.toThrow();
    await expect(t.client.readResource({ uri: 'fixture://items/missing' })).rejects.toThrow(
      /No such item/,
    );
  });

  it('gets prompts with arguments from a DTO and completes their arguments', async () => {
    const { prompts } = await t.client.listPrompts();
    expect(prompts).toEqual([
      {
        name: 'summarise',
        description: 'Summarise a topic',
        arguments: [
          { name: 'topic', required: true },
          { name: 'style', required: false },
        ],
      },
    ]);
    const prompt = await t.client.getPrompt({
      name: 'summarise',
      arguments: { topic: 'MCP', style: 'brief' },
    });
    expect(prompt.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Summarise MCP (brief).' } },
    ]);
    const completion = await t.client.complete({
      ref: { type: 'ref/prompt', name: 'summarise' },
      argument: { name: 'style', value: 'de' },
    });
    expect(completion.completion.values).toEqual(['detailed']);
  });
});
