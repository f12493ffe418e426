import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  classifyInboundRequest,
  PerRequestHTTPServerTransport,
  type JSONRPCRequest,
} from '@modelcontextprotocol/server';
import { Ctx } from '../../decorators/params.decorator';
import { Prompt } from '../../decorators/prompt.decorator';
import { Resource, ResourceTemplate } from '../../decorators/resource.decorator';
import { Tool } from '../../decorators/tool.decorator';
import { McpContext } from '../../context/mcp-context';
import { ToolError } from '../../errors/tool.error';
import { McpModule } from '../../mcp.module';
import { McpServers } from '../../mcp-servers.service';
import type { McpModuleOptions } from '../../interfaces/mcp-module-options.interface';
import { McpServerFactory } from '../../protocol/mcp-server-factory';
import { clientOf } from './streamable-http.handler';

/**
 * The 2026-07-28 HTTP exchange (an encoder over the dispatcher) and an SDK server (the SDK's own
 * per-request HTTP transport over the same dispatcher) answer the same table of requests; their
 * answers are compared on the wire: HTTP status, JSON or SSE, and every JSON-RPC message.
 *
 * The differences the spec allows, and why, are in ALLOWED below: each is a message text the SDK
 * words itself before the dispatcher sees the request. Values that differ by nature (the HMAC
 * of a requestState, a correlation id) are replaced by placeholders first.
 */

const MODERN = '2026-07-28';
/** The envelope of a client that can answer elicitations. */
const ELICITING = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
const form = {
  mode: 'form' as const,
  message: 'Your name?',
  requestedSchema: { type: 'object' as const, properties: { name: { type: 'string' as const } } },
};

@Injectable()
class ParityTools {
  readonly started: string[] = [];
  readonly aborted: string[] = [];

  @Tool({ description: 'A plain value' })
  plain() {
    return { a: 1, b: [true, null] };
  }

  @Tool({
    description: 'Structured output',
    output: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
  })
  structured() {
    return { sum: 3 };
  }

  @Tool({ description: "The tool's own isError result" })
  ownError() {
    return { content: [{ type: 'text', text: 'nope' }], isError: true };
  }

  @Tool({ description: 'A ToolError with a code and retryAfterMs' })
  limited() {
    throw new ToolError('RATE_LIMITED', 'slow down', { retryable: true, retryAfterMs: 1500 });
  }

  @Tool({ description: 'An unexpected failure' })
  boom() {
    throw new Error('secret=hunter2');
  }

  @Tool({ description: 'A malformed content block' })
  malformed() {
    return { content: [{ type: 'text' }] };
  }

  @Tool({ description: 'Asks for input' })
  async ask(@Ctx() ctx: McpContext) {
    return ctx.elicit(form, 'name');
  }

  @Tool({ description: 'Logs at two levels' })
  logs(@Ctx() ctx: McpContext) {
    ctx.log('debug', 'fine detail');
    ctx.log('warning', { note: 'careful' }, 'parity');
    return 'logged';
  }

  @Tool({ description: 'Reports progress' })
  progress(@Ctx() ctx: McpContext) {
    ctx.progress(0.5, 'half', 1);
    return 'done';
  }

  @Tool({ description: 'Waits until cancelled' })
  async hang(@Ctx() ctx: McpContext) {
    this.started.push(String(ctx.requestId));
    await new Promise<void>((resolve) => {
      ctx.signal.addEventListener('abort', () => {
        this.aborted.push(String(ctx.requestId));
        resolve();
      });
    });
    return 'cancelled';
  }

  @Resource({ uri: 'mem://readme', name: 'readme', mimeType: 'text/plain' })
  readme() {
    return 'hello';
  }

  @ResourceTemplate({ uriTemplate: 'mem://items/{id}', name: 'item' })
  item(args: { id: string }) {
    return { id: args.id };
  }

  @Prompt({ description: 'Greets' })
  greet() {
    return 'Say hello';
  }
}

const OPTIONS: McpModuleOptions = {
  name: 'parity',
  version: '1.0.0',
  instructions: 'Compare me',
  listCacheHint: { ttlMs: 5000, cacheScope: 'public' },
};

@Module({ imports: [McpModule.forRoot(OPTIONS)], providers: [ParityTools] })
class ParityModule {}

interface Answer {
  status: number;
  kind: 'json' | 'sse' | 'none';
  messages: unknown[];
}

interface Case {
  name: string;
  method: string;
  params?: Record<string, unknown>;
  /** Envelope keys beyond protocol version and (empty) client capabilities. */
  envelope?: Record<string, unknown>;
  /** `_meta` keys of the request (progress token, trace context). */
  meta?: Record<string, unknown>;
  /** What the answer must be, beyond being the same on both paths. */
  expect: (answer: Answer) => void;
}

const result = (a: Answer) => (a.messages.at(-1) as { result: Record<string, any> }).result;
const error = (a: Answer) => (a.messages.at(-1) as { error: Record<string, any> }).error;
const bodyOf = (a: Answer) => JSON.parse(result(a).content[0].text);

const CASES: Case[] = [
  {
    name: 'a plain value',
    method: 'tools/call',
    params: { name: 'plain', arguments: {} },
    expect: (a) => {
      expect(a).toMatchObject({ status: 200, kind: 'json' });
      expect(result(a)).toMatchObject({
        content: [{ type: 'text', text: '{"a":1,"b":[true,null]}' }],
        resultType: 'complete',
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'parity', version: '1.0.0' } },
      });
    },
  },
  {
    name: 'structured output',
    method: 'tools/call',
    params: { name: 'structured', arguments: {} },
    expect: (a) => expect(result(a).structuredContent).toEqual({ sum: 3 }),
  },
  {
    name: "the tool's own isError result",
    method: 'tools/call',
    params: { name: 'ownError', arguments: {} },
    expect: (a) => expect(result(a)).toMatchObject({ isError: true, content: [{ text: 'nope' }] }),
  },
  {
    name: 'a ToolError with code and retryAfterMs',
    method: 'tools/call',
    params: { name: 'limited', arguments: {} },
    expect: (a) =>
      expect(bodyOf(a)).toEqual({
        code: 'RATE_LIMITED',
        message: 'slow down',
        retryable: true,
        retryAfterMs: 1500,
      }),
  },
  {
    name: 'an unexpected failure, masked',
    method: 'tools/call',
    params: { name: 'boom', arguments: {} },
    expect: (a) => {
      expect(JSON.stringify(a)).not.toContain('hunter2');
      expect(bodyOf(a)).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false });
    },
  },
  {
    name: 'a malformed content block',
    method: 'tools/call',
    params: { name: 'malformed', arguments: {} },
    expect: (a) => expect(bodyOf(a)).toMatchObject({ code: 'INVALID_OUTPUT' }),
  },
  {
    name: 'input_required, with the client capability',
    method: 'tools/call',
    params: { name: 'ask', arguments: {} },
    envelope: ELICITING,
    expect: (a) =>
      expect(result(a)).toMatchObject({
        resultType: 'input_required',
        inputRequests: { name: { method: 'elicitation/create', params: form } },
        requestState: '<requestState>',
      }),
  },
  {
    name: 'input_required, without the client capability',
    method: 'tools/call',
    params: { name: 'ask', arguments: {} },
    expect: (a) => {
      expect(a.status).toBe(400);
      expect(error(a)).toMatchObject({
        code: -32021,
        data: { requiredCapabilities: { elicitation: { form: {} } } },
      });
    },
  },
  {
    name: 'an answered round',
    method: 'tools/call',
    params: {
      name: 'ask',
      arguments: {},
      inputResponses: { name: { action: 'accept', content: { name: 'Ada' } } },
    },
    envelope: ELICITING,
    expect: (a) => expect(bodyOf(a)).toEqual({ action: 'accept', content: { name: 'Ada' } }),
  },
  {
    // Not an answer: the question is asked again (the spec allows that or a JSON-RPC error).
    name: 'an answer that is not an elicitation result',
    method: 'tools/call',
    params: { name: 'ask', arguments: {}, inputResponses: { name: 12345 } },
    envelope: ELICITING,
    expect: (a) =>
      expect(result(a)).toMatchObject({
        resultType: 'input_required',
        inputRequests: { name: { method: 'elicitation/create', params: form } },
      }),
  },
  {
    name: 'an answer wrapped as { method, result }',
    method: 'tools/call',
    params: {
      name: 'ask',
      arguments: {},
      inputResponses: {
        name: {
          method: 'elicitation/create',
          result: { action: 'accept', content: { name: 'Ada' } },
        },
      },
    },
    envelope: ELICITING,
    expect: (a) => expect(result(a)).toMatchObject({ resultType: 'input_required' }),
  },
  {
    // A valid ElicitResult that also carries a `method` member: see ALLOWED.
    name: 'an answer that also carries a method member',
    method: 'tools/call',
    params: {
      name: 'ask',
      arguments: {},
      inputResponses: { name: { action: 'decline', method: 'elicitation/create' } },
    },
    envelope: ELICITING,
    expect: (a) => expect(result(a).resultType).toBeDefined(),
  },
  {
    name: 'inputResponses that are not an object',
    method: 'tools/call',
    params: { name: 'ask', arguments: {}, inputResponses: null },
    envelope: ELICITING,
    expect: (a) => expect(result(a)).toMatchObject({ resultType: 'input_required' }),
  },
  {
    name: 'a forged requestState',
    method: 'tools/call',
    params: { name: 'ask', arguments: {}, requestState: 'v1.forged.mac' },
    envelope: ELICITING,
    expect: (a) =>
      expect(error(a)).toMatchObject({
        code: -32602,
        message: 'Invalid or expired requestState',
        data: { reason: 'invalid_request_state' },
      }),
  },
  {
    name: 'an unknown tool',
    method: 'tools/call',
    params: { name: 'nope', arguments: {} },
    expect: (a) => expect(error(a)).toMatchObject({ code: -32602, message: 'Unknown tool: nope' }),
  },
  {
    name: 'bad params (arguments not an object)',
    method: 'tools/call',
    params: { name: 'plain', arguments: [1, 2] },
    expect: (a) => expect(error(a).code).toBe(-32602),
  },
  {
    name: 'a resource that does not exist',
    method: 'resources/read',
    params: { uri: 'mem://missing' },
    expect: (a) =>
      expect(error(a)).toMatchObject({
        code: -32602,
        message: 'Resource not found: mem://missing',
        data: { uri: 'mem://missing' },
      }),
  },
  {
    name: 'a resource, with its cache fields',
    method: 'resources/read',
    params: { uri: 'mem://readme' },
    expect: (a) =>
      expect(result(a)).toMatchObject({
        contents: [{ uri: 'mem://readme', text: 'hello' }],
        ttlMs: 0,
        cacheScope: 'private',
      }),
  },
  {
    name: 'a resource template',
    method: 'resources/read',
    params: { uri: 'mem://items/7' },
    expect: (a) => expect(result(a).contents[0].text).toBe('{"id":"7"}'),
  },
  {
    name: 'tools/list, with the configured cache hint',
    method: 'tools/list',
    expect: (a) =>
      expect(result(a)).toMatchObject({
        ttlMs: 5000,
        cacheScope: 'public',
        resultType: 'complete',
      }),
  },
  {
    name: 'a bad cursor',
    method: 'prompts/list',
    params: { cursor: 'bogus' },
    expect: (a) => expect(error(a).code).toBe(-32602),
  },
  {
    name: 'prompts/get',
    method: 'prompts/get',
    params: { name: 'greet' },
    expect: (a) => expect(result(a).messages[0].content.text).toBe('Say hello'),
  },
  {
    name: 'server/discover',
    method: 'server/discover',
    expect: (a) =>
      expect(result(a)).toMatchObject({
        supportedVersions: [MODERN],
        instructions: 'Compare me',
        capabilities: { tools: { listChanged: true } },
      }),
  },
  {
    name: 'log notifications, without a requested level: none',
    method: 'tools/call',
    params: { name: 'logs', arguments: {} },
    expect: (a) => expect(a).toMatchObject({ kind: 'json', messages: [{ id: 1 }] }),
  },
  {
    name: 'log notifications, with a requested level: those at or above it, on SSE',
    method: 'tools/call',
    params: { name: 'logs', arguments: {} },
    envelope: { 'io.modelcontextprotocol/logLevel': 'info' },
    expect: (a) => {
      expect(a.kind).toBe('sse');
      expect(a.messages).toHaveLength(2);
      expect(a.messages[0]).toMatchObject({
        method: 'notifications/message',
        params: { level: 'warning', data: { note: 'careful' }, logger: 'parity' },
      });
    },
  },
  {
    name: 'progress, upgrading the answer to SSE',
    method: 'tools/call',
    params: { name: 'progress', arguments: {} },
    meta: { progressToken: 'p-1' },
    expect: (a) => {
      expect(a.kind).toBe('sse');
      expect(a.messages[0]).toMatchObject({
        method: 'notifications/progress',
        params: { progressToken: 'p-1', progress: 0.5, total: 1, message: 'half' },
      });
      expect(result(a).content[0].text).toBe('done');
    },
  },
  {
    name: 'ping, removed in 2026-07-28',
    method: 'ping',
    expect: (a) =>
      expect(a).toMatchObject({ status: 404, messages: [{ error: { code: -32601 } }] }),
  },
  {
    name: 'an unknown method',
    method: 'tools/frobnicate',
    expect: (a) => expect(error(a).code).toBe(-32601),
  },
];

/**
 * Differences the spec allows between the fast path (first) and the SDK server (second), by
 * case: the SDK checks the request against its wire schema before any handler runs, so its
 * message for malformed params is its own wording (the code is the same). And before the
 * dispatcher sees `inputResponses`, the SDK drops any entry with a `method` or `result` member
 * (its guard against `{ method, result }` wrappers, in an internal function it does not export);
 * both paths then take only answers that pass the SDK's result schema (McpContext). An entry
 * that is a valid `ElicitResult` and also has a `method` member is therefore an answer on the
 * fast path and asked again on the SDK server. The spec's result schemas allow the member;
 * neither answer breaks a rule.
 */
const ALLOWED: Record<string, (fast: Answer, sdk: Answer) => void> = {
  'an answer that also carries a method member': (fast, sdk) => {
    expect(JSON.parse(result(fast).content[0].text)).toEqual({
      action: 'decline',
      method: 'elicitation/create',
    });
    expect(result(sdk)).toMatchObject({ resultType: 'input_required' });
    fast.messages = sdk.messages;
  },
  'bad params (arguments not an object)': (fast, sdk) => {
    expect(error(fast).message).toBe('Invalid params: "arguments" must be an object');
    expect(error(sdk).message).toMatch(/^Invalid tools\/call request/);
    delete error(fast).message;
    delete error(sdk).message;
  },
};

describe('the 2026-07-28 HTTP exchange and an SDK server answer alike', () => {
  let app: INestApplication;
  let url: string;
  let factory: McpServerFactory;
  let tools: ParityTools;

  beforeAll(async () => {
    const module = await Test.createTestingModule({ imports: [ParityModule] }).compile();
    app = module.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/mcp`;
    factory = new McpServerFactory(OPTIONS, app.get(McpServers).get('parity')!.registry);
    tools = app.get(ParityTools);
  });

  afterAll(async () => {
    factory.close();
    await app.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const message = requestOf(testCase);
    const fast = normalize(await viaFastPath(url, message));
    const sdk = normalize(await viaSdkServer(factory, url, message));
    ALLOWED[testCase.name]?.(fast, sdk);
    expect(fast).toEqual(sdk);
    testCase.expect(fast);
  });

  it('cancellation: a client that goes away aborts ctx.signal on both paths', async () => {
    const hang = requestOf({
      name: 'hang',
      method: 'tools/call',
      params: { name: 'hang' },
      expect: () => undefined,
    });
    const gone = new AbortController();
    const fastCall = fetch(url, {
      method: 'POST',
      headers: headersOf(hang),
      body: JSON.stringify({ ...hang, id: 'fast' }),
      signal: gone.signal,
    }).catch(() => undefined);
    await until(() => tools.started.includes('fast'));
    gone.abort();
    await fastCall;
    await until(() => tools.aborted.includes('fast'));

    const sdkGone = new AbortController();
    const sdkCall = viaSdkServer(factory, url, { ...hang, id: 'sdk' }, sdkGone.signal);
    await until(() => tools.started.includes('sdk'));
    sdkGone.abort();
    await sdkCall.catch(() => undefined);
    await until(() => tools.aborted.includes('sdk'));
    expect(tools.aborted).toEqual(['fast', 'sdk']);
  });
});

/** Polls until `done()`, on the event loop (no timing assumptions beyond Jest's own timeout). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function requestOf(testCase: Case): JSONRPCRequest {
  return {
    jsonrpc: '2.0',
    id: 1,
    method: testCase.method,
    params: {
      ...testCase.params,
      _meta: {
        ...testCase.meta,
        'io.modelcontextprotocol/protocolVersion': MODERN,
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/clientInfo': { name: 'parity-client', version: '1.0.0' },
        ...testCase.envelope,
      },
    },
  } as JSONRPCRequest;
}

function headersOf(message: JSONRPCRequest): Record<string, string> {
  const params = message.params as { name?: unknown; uri?: unknown };
  const name = message.method === 'resources/read' ? params.uri : params.name;
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MODERN,
    'mcp-method': message.method,
    ...(typeof name === 'string' &&
      ['tools/call', 'resources/read', 'prompts/get'].includes(message.method) && {
        'mcp-name': name,
      }),
  };
}

async function viaFastPath(url: string, message: JSONRPCRequest): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: headersOf(message),
    body: JSON.stringify(message),
  });
  return answerOf(res);
}

/** The same request through the SDK's per-request HTTP transport and a factory-made server. */
async function viaSdkServer(
  factory: McpServerFactory,
  url: string,
  message: JSONRPCRequest,
  signal?: AbortSignal,
): Promise<Answer> {
  const headers = headersOf(message);
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: headers['mcp-protocol-version'],
    mcpMethodHeader: headers['mcp-method'],
    mcpNameHeader: headers['mcp-name'],
    body: message,
  });
  if (outcome.kind !== 'modern') throw new Error(`not a modern request: ${outcome.kind}`);
  const server = factory.create((ctx, s) => ({
    transport: 'http',
    era: 'modern',
    ...clientOf(ctx, s),
    protocolVersion: MODERN,
  }));
  const transport = new PerRequestHTTPServerTransport({
    classification: outcome.classification,
    responseMode: 'auto',
  });
  await server.connect(transport);
  try {
    const request = new Request(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(message),
      signal,
    });
    return await answerOf(await transport.handleMessage(message, { request }));
  } finally {
    void server.close().catch(() => undefined);
  }
}

async function answerOf(res: Response): Promise<Answer> {
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  if (!text) return { status: res.status, kind: 'none', messages: [] };
  if (type.startsWith('text/event-stream'))
    return {
      status: res.status,
      kind: 'sse',
      messages: text
        .split('\n\n')
        .map((block) => /^data: ?(.*)$/m.exec(block)?.[1])
        .filter((data): data is string => !!data)
        .map((data) => JSON.parse(data)),
    };
  return { status: res.status, kind: 'json', messages: [JSON.parse(text)] };
}

/** Replaces what differs by nature: a requestState's HMAC and expiry, correlation ids. */
function normalize(answer: Answer): Answer {
  const text = JSON.stringify(answer)
    .replace(/"requestState":"[^"]+"/g, '"requestState":"<requestState>"')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<correlation-id>');
  return JSON.parse(text) as Answer;
}
