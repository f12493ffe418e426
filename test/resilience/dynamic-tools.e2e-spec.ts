import type { Client } from '@modelcontextprotocol/client';
import { MCP_BREAKER_STATES, McpServers, type McpBreakerStates } from '@rampart/core';
import type { ResilienceModuleOptions } from '@rampart/resilience';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp, toolText } from '@rampart/testing';
import { ResilienceFixtureModule } from './resilience.fixture';

type Result = Awaited<ReturnType<Client['callTool']>>;
const body = (r: Result) => JSON.parse(toolText(r)) as Record<string, any>;
const text = toolText;

/** Module options that name tools which only exist once added at run time. */
const options: ResilienceModuleOptions = {
  defaults: { retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 1 } },
  tools: {
    dyn_limited: { rateLimit: { points: 1, perMs: 60_000 } },
    dyn_breaker: { circuitBreaker: { consecutiveFailures: 1, halfOpenAfterMs: 600_000 } },
  },
};

describe.each(mcpTestMatrix((s) => s.adapter !== 'fastify'))(
  'policies of tools added at run time, over %s',
  (_n, setup) => {
    let t: McpTestApp;
    let servers: McpServers;
    const call = (name: string) => t.client.callTool({ name, arguments: {} });

    beforeEach(async () => {
      t = await createMcpTestApp({
        imports: [ResilienceFixtureModule.register(options)],
        ...setup,
      });
      servers = t.app.get(McpServers);
    });
    afterEach(() => t.close());

    it('applies the `tools` entry of a dynamic tool: its rate limit', async () => {
      servers.get('resilient').addTool({ name: 'dyn_limited', handler: () => 'hi' });
      expect(text(await call('dyn_limited'))).toBe('hi');
      expect(body(await call('dyn_limited'))).toMatchObject({
        code: 'RATE_LIMITED',
        details: { limit: '1-per-60000' },
      });
    });

    it('opens the breaker of a dynamic tool; removing the tool removes its breaker', async () => {
      const states = t.app.get<McpBreakerStates>(MCP_BREAKER_STATES);
      let runs = 0;
      const failing = {
        name: 'dyn_breaker',
        handler: () => {
          runs++;
          throw new Error('upstream down');
        },
      };
      servers.get('resilient').addTool(failing);
      expect(body(await call('dyn_breaker')).code).toBe('INTERNAL_ERROR');
      expect(body(await call('dyn_breaker')).code).toBe('CIRCUIT_OPEN');
      expect(runs).toBe(1);
      expect(states.snapshot()).toContainEqual({
        name: 'dyn_breaker',
        state: 'open',
        critical: false,
      });

      servers.get('resilient').removeTool('dyn_breaker');
      expect(states.snapshot().filter((s) => s.name === 'dyn_breaker')).toEqual([]);
      // Added again, it starts with a closed breaker.
      servers.get('resilient').addTool(failing);
      expect(body(await call('dyn_breaker')).code).toBe('INTERNAL_ERROR');
      expect(runs).toBe(2);
    });

    it('applies a default retry to a read-only dynamic tool, and never to an unannotated one', async () => {
      const runs = { reader: 0, writer: 0 };
      servers.get('resilient').addTool({
        name: 'dyn_reader',
        annotations: { readOnlyHint: true },
        handler: () => {
          if (++runs.reader < 3) throw new Error('transient');
          return 'read';
        },
      });
      servers.get('resilient').addTool({
        name: 'dyn_writer',
        handler: () => {
          runs.writer++;
          throw new Error('transient');
        },
      });
      expect(text(await call('dyn_reader'))).toBe('read');
      expect(runs.reader).toBe(3);
      expect(body(await call('dyn_writer')).code).toBe('INTERNAL_ERROR');
      expect(runs.writer).toBe(1);
    });
  },
);
