import { channel } from 'node:diagnostics_channel';
import {
  MCP_BREAKER_STATES,
  McpModule,
  McpServers,
  RampartChannel,
  type McpBreakerStates,
} from '@rampart/core';
import { ObservabilityModule, OBSERVABILITY_REGISTRY } from '@rampart/observability';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import type { Registry } from 'prom-client';
import { CalcTools, PlainTools, sample } from './metrics-fixture';

const setups = mcpTestMatrix((s) => s.era === 'modern' || s.transport === 'memory');

describe.each(setups)('metrics over %s', (_name, setup) => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
        ObservabilityModule.forRoot({ metrics: true }),
      ],
      providers: [CalcTools, PlainTools],
      ...setup,
    });
  });
  afterAll(() => t.close());

  /** The metrics text: from `/metrics` over HTTP, else from the registry. */
  const scrape = async (): Promise<string> => {
    if (!t.url) return t.app.get<Registry>(OBSERVABILITY_REGISTRY).metrics();
    const response = await fetch(new URL('/metrics', t.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('counts tool calls by tool, outcome and error code after known calls', async () => {
    const call = (name: string, args: Record<string, unknown> = {}) =>
      t.client.callTool({ name, arguments: args });
    await call('add', { a: 1, b: 2 });
    await call('add', { a: 3, b: 4 });
    expect((await call('add', { a: 'x', b: 1 })).isError).toBe(true);
    expect((await call('upstream')).isError).toBe(true);
    expect((await call('crash')).isError).toBe(true);
    expect((await call('guarded', { deny: true })).isError).toBe(true);
    await call('guarded');
    await call('plain');
    await call('quiet');
    await expect(call('no_such_tool')).rejects.toThrow();
    await t.client.readResource({ uri: 'note://hello' });

    const text = await scrape();
    const calls = (tool: string, outcome: string, code = '') =>
      sample(text, 'rampart_tool_calls_total', {
        server: 'calc',
        gen_ai_tool_name: tool,
        outcome,
        error_code: code,
      });
    expect(calls('add', 'success')).toBe(2);
    expect(calls('add', 'error', 'INVALID_ARGUMENTS')).toBe(1);
    expect(calls('upstream', 'error', 'UPSTREAM_DOWN')).toBe(1);
    expect(calls('crash', 'error', 'INTERNAL_ERROR')).toBe(1);
    expect(calls('guarded', 'error', 'FORBIDDEN')).toBe(1);
    expect(calls('guarded', 'success')).toBe(1);
    // not tracked: no @TrackMetrics, opted out, or not a registered tool
    expect(text).not.toMatch(/gen_ai_tool_name="plain"/);
    expect(text).not.toMatch(/gen_ai_tool_name="quiet"/);
    expect(text).not.toMatch(/no_such_tool/);

    const count = (method: string, tool: string, outcome: string, errorType = '') =>
      sample(text, 'mcp_server_operation_duration_seconds_count', {
        mcp_method_name: method,
        gen_ai_tool_name: tool,
        outcome,
        error_type: errorType,
      });
    expect(count('tools/call', 'add', 'success')).toBe(2);
    expect(count('tools/call', 'crash', 'error', 'INTERNAL_ERROR')).toBe(1);
    expect(count('resources/read', '', 'success')).toBe(1);
    expect(
      sample(text, 'mcp_server_operation_duration_seconds_bucket', {
        mcp_method_name: 'tools/call',
        gen_ai_tool_name: 'add',
        outcome: 'success',
        error_type: '',
        le: '+Inf',
      }),
    ).toBe(2);
    expect(
      sample(text, 'rampart_requests_in_flight', { server: 'calc', mcp_method_name: 'tools/call' }),
    ).toBe(0);
    // no identity, argument or URI as a label value
    expect(text).not.toMatch(/note:\/\/hello/);
  });

  it('leaves out a tool added at run time: it has no @TrackMetrics()', async () => {
    const host = t.app.get(McpServers).get('calc');
    host.addTool({ name: 'added_later', handler: () => 'ok' });
    try {
      expect((await t.client.callTool({ name: 'added_later', arguments: {} })).isError).toBeFalsy();
      expect(await scrape()).not.toMatch(/gen_ai_tool_name="added_later"/);
    } finally {
      host.removeTool('added_later');
    }
  });

  it('counts what other libs report on the diagnostics channels, with bounded labels', async () => {
    channel(RampartChannel.rejection).publish({
      server: 'calc',
      tool: 'add',
      reason: 'rate-limit',
      scope: 'tool',
    });
    channel(RampartChannel.rejection).publish({
      server: 'calc',
      tool: 'https://evil.example/x?token=1',
      reason: 'overloaded',
      scope: 'endpoint',
    });
    channel(RampartChannel.breakerState).publish({ name: 'add', state: 'open', critical: false });
    channel(RampartChannel.breakerState).publish({
      name: 'fetch',
      key: 'a.example',
      state: 'open',
      critical: true,
    });
    channel(RampartChannel.breakerState).publish({
      name: 'fetch',
      key: 'b.example',
      state: 'open',
      critical: true,
    });
    channel(RampartChannel.retry).publish({ server: 'calc', tool: 'add', attempt: 1, delayMs: 10 });
    channel(RampartChannel.cache).publish({ name: 'pages', hit: true });
    channel(RampartChannel.cache).publish({ name: 'pages', hit: false });
    channel(RampartChannel.cache).publish({ name: 'pages', hit: true });

    const text = await scrape();
    expect(
      sample(text, 'rampart_rejections_total', {
        server: 'calc',
        gen_ai_tool_name: 'add',
        reason: 'rate-limit',
        scope: 'tool',
      }),
    ).toBe(1);
    expect(
      sample(text, 'rampart_rejections_total', {
        server: 'calc',
        gen_ai_tool_name: 'unknown',
        reason: 'overloaded',
        scope: 'endpoint',
      }),
    ).toBe(1);
    expect(text).not.toMatch(/evil\.example/);
    expect(
      sample(text, 'rampart_circuit_breaker_transitions_total', {
        breaker: 'fetch',
        state: 'open',
      }),
    ).toBe(2);
    // keys of a keyed breaker are added up, never labels
    expect(sample(text, 'rampart_circuit_breaker_state', { breaker: 'fetch', state: 'open' })).toBe(
      2,
    );
    expect(sample(text, 'rampart_circuit_breaker_state', { breaker: 'add', state: 'open' })).toBe(
      1,
    );
    expect(sample(text, 'rampart_circuit_breaker_state', { breaker: 'add', state: 'closed' })).toBe(
      0,
    );
    expect(text).not.toMatch(/a\.example/);
    expect(sample(text, 'rampart_retries_total', { gen_ai_tool_name: 'add' })).toBe(1);
    expect(sample(text, 'rampart_cache_requests_total', { cache: 'pages', result: 'hit' })).toBe(2);
    expect(sample(text, 'rampart_cache_requests_total', { cache: 'pages', result: 'miss' })).toBe(
      1,
    );
  });
});

describe('metrics with allTools', () => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
        ObservabilityModule.forRoot({
          metrics: { allTools: true, path: '/ops/metrics', maxErrorCodesPerTool: 1 },
        }),
      ],
      providers: [
        CalcTools,
        PlainTools,
        {
          provide: MCP_BREAKER_STATES,
          useValue: {
            snapshot: () => [
              { name: 'fetch', key: 'a.example', state: 'open', critical: true },
              { name: 'fetch', key: 'b.example', state: 'half-open', critical: true },
              { name: 'fetch', key: 'c.example', state: 'open', critical: true },
            ],
          } satisfies McpBreakerStates,
        },
      ],
      transport: 'http',
      adapter: 'fastify',
    });
  });
  afterAll(() => t.close());

  it('records untracked tools, unknown tools as "unknown", caps error codes, on its own path', async () => {
    await t.client.callTool({ name: 'plain', arguments: {} });
    await t.client.callTool({ name: 'quiet', arguments: {} });
    await expect(t.client.callTool({ name: 'made_up_name', arguments: {} })).rejects.toThrow();
    await t.client.callTool({ name: 'add', arguments: { a: 'x', b: 1 } });
    await t.client.callTool({ name: 'add', arguments: {} as Record<string, unknown> });
    await t.client.callTool({ name: 'guarded', arguments: { deny: true } });
    for (const code of ['FIRST_CODE', 'SECOND_CODE', 'THIRD_CODE', 'FIRST_CODE'])
      await t.client.callTool({ name: 'upstream', arguments: { code } });

    expect((await fetch(new URL('/metrics', t.url))).status).toBe(404);
    const text = await (await fetch(new URL('/ops/metrics', t.url))).text();
    const calls = (tool: string, outcome: string, code = '') =>
      sample(text, 'rampart_tool_calls_total', {
        server: 'calc',
        gen_ai_tool_name: tool,
        outcome,
        error_code: code,
      });
    expect(calls('plain', 'success')).toBe(1);
    // an explicit @TrackMetrics({ enabled: false }) wins over allTools
    expect(calls('quiet', 'success')).toBeUndefined();
    expect(calls('unknown', 'error', '-32602')).toBe(1);
    expect(text).not.toMatch(/made_up_name/);
    expect(calls('add', 'error', 'INVALID_ARGUMENTS')).toBe(2);
    expect(calls('guarded', 'error', 'FORBIDDEN')).toBe(1);
    // one distinct code per tool here: the rest are OTHER
    expect(calls('upstream', 'error', 'FIRST_CODE')).toBe(2);
    expect(calls('upstream', 'error', 'OTHER')).toBe(2);
    expect(text).not.toMatch(/SECOND_CODE|THIRD_CODE/);
    // breaker states read from MCP_BREAKER_STATES at scrape time, keys added up
    const state = (s: string) =>
      sample(text, 'rampart_circuit_breaker_state', { breaker: 'fetch', state: s });
    expect([state('open'), state('half-open'), state('closed')]).toEqual([2, 1, 0]);
    expect(text).not.toMatch(/a\.example/);
  });

  it('records a tool added at run time under allTools, read from the registry', async () => {
    const host = t.app.get(McpServers).get('calc');
    host.addTool({ name: 'added_later', handler: () => 'ok' });
    try {
      await t.client.callTool({ name: 'added_later', arguments: {} });
      const text = await (await fetch(new URL('/ops/metrics', t.url))).text();
      expect(
        sample(text, 'rampart_tool_calls_total', {
          server: 'calc',
          gen_ai_tool_name: 'added_later',
          outcome: 'success',
          error_code: '',
        }),
      ).toBe(1);
    } finally {
      host.removeTool('added_later');
    }
  });
});
