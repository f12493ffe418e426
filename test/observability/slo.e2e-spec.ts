import { Injectable } from '@nestjs/common';
import type { Client } from '@modelcontextprotocol/client';
import { IsBoolean, IsOptional } from 'class-validator';
import type { Registry } from 'prom-client';
import { Args, McpModule, Tool, ToolError } from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { OBSERVABILITY_REGISTRY, ObservabilityModule, Slo } from '@rampart/observability';

class FlakyInput {
  @IsOptional() @IsBoolean() fail?: boolean;
}

@Injectable()
class SloTools {
  runs = 0;

  @Tool({ description: 'Fails on demand' })
  @Slo({ success: 0.9, latency: { percentile: 0.95, thresholdMs: 5_000 }, shedWhenExhausted: true })
  flaky(@Args() input: FlakyInput) {
    this.runs++;
    if (input.fail) throw new ToolError('UPSTREAM_DOWN', 'upstream down', { retryable: true });
    return 'ok';
  }

  @Tool({ description: 'No objective' })
  plain() {
    return 'plain';
  }
}

const body = (r: Awaited<ReturnType<Client['callTool']>>) =>
  JSON.parse((r.content as { text: string }[])[0].text) as Record<string, unknown>;

const setups = mcpTestMatrix((s) => s.transport === 'http' && s.adapter === 'express');

describe.each(setups)('SLOs over %s', (_name, setup) => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'slo-e2e', version: '1.0.0' }),
        ObservabilityModule.forRoot({ slo: { minCalls: 5, tools: { plain: { success: 0.99 } } } }),
      ],
      providers: [SloTools],
      ...setup,
    });
  });

  afterAll(() => t.close());

  it('computes the budget from calls, serves /slo and the gauges, then sheds low-priority calls only', async () => {
    const low = { 'io.rampart/priority': 'low' };
    await t.client.callTool({ name: 'flaky', arguments: {} });
    await t.client.callTool({ name: 'plain', arguments: {} });
    let report = (await (await fetch(new URL('/slo', t.url))).json()) as {
      tools: Record<string, any>[];
    };
    expect(report.tools.map((x) => x.tool)).toEqual(['flaky', 'plain']);
    expect(report.tools[0]).toMatchObject({
      server: 'slo-e2e',
      calls: 1,
      failed: 0,
      sheds: true,
      objectives: { success: { target: 0.9, budgetRemaining: 1, exhausted: false } },
    });

    // 4 failures out of 5 calls: the 10 % budget is spent 8 times over.
    for (let i = 0; i < 4; i++)
      await t.client.callTool({ name: 'flaky', arguments: { fail: true } });
    report = (await (await fetch(new URL('/slo?server=slo-e2e', t.url))).json()) as typeof report;
    const flaky = report.tools.find((x) => x.tool === 'flaky')!;
    expect(flaky).toMatchObject({ calls: 5, failed: 4, errorRate: 0.8 });
    expect(flaky.objectives.success.budgetRemaining).toBeCloseTo(-7, 6);
    expect(flaky.objectives.success.burnRate['1h']).toBeCloseTo(8, 6);
    expect(flaky.objectives.success.exhausted).toBe(true);

    const metrics = await t.module.get<Registry>(OBSERVABILITY_REGISTRY).metrics();
    expect(metrics).toMatch(
      /rampart_slo_error_budget_remaining_ratio\{server="slo-e2e",gen_ai_tool_name="flaky",objective="success"\} -7/,
    );
    expect(metrics).toMatch(
      /rampart_slo_burn_rate\{server="slo-e2e",gen_ai_tool_name="flaky",objective="success",window="5m"\} 8/,
    );

    const tools = t.module.get(SloTools);
    const runsBefore = tools.runs;
    const shed = await t.client.callTool({ name: 'flaky', arguments: {}, _meta: low });
    expect(shed.isError).toBe(true);
    expect(body(shed)).toMatchObject({
      code: 'BUDGET_EXHAUSTED',
      retryable: true,
      retryAfterMs: expect.any(Number),
    });
    expect(tools.runs).toBe(runsBefore); // the tool did not run

    // A critical (default priority) call still runs; a tool without shedding is never shed.
    const critical = await t.client.callTool({ name: 'flaky', arguments: {} });
    expect(critical.isError).toBeFalsy();
    expect(tools.runs).toBe(runsBefore + 1);
    const plain = await t.client.callTool({ name: 'plain', arguments: {}, _meta: low });
    expect(plain.isError).toBeFalsy();

    // The shed call did not count against the tool.
    report = (await (await fetch(new URL('/slo', t.url))).json()) as typeof report;
    expect(report.tools.find((x) => x.tool === 'flaky')).toMatchObject({ calls: 6, failed: 4 });
  });
});
