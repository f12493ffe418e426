import { Injectable } from '@nestjs/common';
import { IsString } from 'class-validator';
import { Args, McpModule, Tool, ToolError } from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import {
  ObservabilityModule,
  type MetricsResourceOptions,
  type ServerHealthSummary,
} from '@rampart/observability';
import { breakerStatesModule } from './breaker-states.fixture';

class LookupInput {
  @IsString() email!: string;
}

@Injectable()
class LookupTools {
  @Tool({ description: 'Looks a user up' })
  lookup(@Args() input: LookupInput) {
    if (input.email.startsWith('missing')) throw new ToolError('NOT_FOUND', `no ${input.email}`);
    return `found ${input.email}`;
  }
}

const URI = 'rampart://server/health';

async function boot(resource: MetricsResourceOptions | true, withSlo: boolean, setup = {}) {
  return createMcpTestApp({
    imports: [
      McpModule.forRoot({ name: 'resource-e2e', version: '1.0.0' }),
      ObservabilityModule.forRoot({
        slo: withSlo && { tools: { lookup: { success: 0.99 } } },
        metricsResource: resource,
      }),
      breakerStatesModule({
        snapshot: () => [
          { name: 'directory', key: 'ldap.internal', state: 'closed', critical: true },
        ],
      }),
    ],
    providers: [LookupTools],
    ...setup,
  });
}

async function read(
  t: McpTestApp,
): Promise<{ summary: ServerHealthSummary; text: string; mimeType?: string }> {
  const res = await t.client.readResource({ uri: URI });
  const content = res.contents[0] as { text: string; mimeType?: string };
  return {
    summary: JSON.parse(content.text) as ServerHealthSummary,
    text: content.text,
    mimeType: content.mimeType,
  };
}

describe.each(mcpTestMatrix((s) => s.transport === 'memory' || s.adapter === 'express'))(
  'metrics resource over %s',
  (_name, setup) => {
    let t: McpTestApp;
    beforeAll(async () => (t = await boot(true, true, setup)));
    afterAll(() => t.close());

    it('is listed and answers a small summary without identities or arguments', async () => {
      const { resources } = await t.client.listResources();
      expect(resources).toContainEqual(
        expect.objectContaining({ uri: URI, name: 'server_health', mimeType: 'application/json' }),
      );
      await t.client.callTool({ name: 'lookup', arguments: { email: 'ada@example.com' } });
      await t.client.callTool({ name: 'lookup', arguments: { email: 'missing@example.com' } });
      const { summary, text, mimeType } = await read(t);
      expect(mimeType).toBe('application/json');
      expect(summary).toMatchObject({
        server: 'resource-e2e',
        status: 'ok',
        toolsOmitted: 0,
        tools: [
          {
            tool: 'lookup',
            calls: 2,
            errorRate: 0.5,
            windowMs: 3_600_000,
            slo: { success: { exhausted: false } },
          },
        ],
        breakers: [{ name: 'directory', state: 'closed', critical: true }],
      });
      expect(summary.tools[0].p95Ms).toEqual(expect.any(Number));
      expect(text).not.toMatch(/example\.com|ldap\.internal/); // no arguments, no breaker keys
      expect(text.length).toBeLessThan(2_000);
    });
  },
);

describe('metrics resource without the SLO part', () => {
  it('keeps its own window, and bounds the list of tools', async () => {
    const t = await boot({ maxTools: 1, windowMs: 60_000, uri: URI }, false);
    try {
      await t.client.callTool({ name: 'lookup', arguments: { email: 'a@b.c' } });
      await t.client.callTool({ name: 'nope', arguments: {} }).catch(() => undefined);
      const { summary } = await read(t);
      expect(summary.tools).toEqual([
        expect.objectContaining({ tool: 'lookup', calls: 1, errorRate: 0, windowMs: 60_000 }),
      ]);
      expect(summary.tools[0].slo).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('is read-only: it cannot be called as a tool and takes no arguments', async () => {
    const t = await boot(true, false);
    try {
      const { tools } = await t.client.listTools();
      expect(tools.map((x) => x.name)).toEqual(['lookup']);
    } finally {
      await t.close();
    }
  });
});
