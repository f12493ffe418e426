import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { FIXTURE_EGRESS, FixtureSite } from './fixture-site';
import { readinessAfterWarmUp } from '../readiness';

/** One sample of a Prometheus text exposition, by metric name and exact labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (m[2].split(',').sort().join(',') === wanted) return Number(m[3]);
  }
  return undefined;
}

describe.each(['express', 'fastify'] as const)('web-scrape observability on %s', (adapter) => {
  let site: FixtureSite;
  let t: McpTestApp;
  let base: string;

  beforeAll(async () => {
    site = await new FixtureSite().start();
    t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [AppModule.forRoot({ redisUrl: undefined, egress: FIXTURE_EGRESS })],
      transport: 'http',
      adapter,
      era: 'modern',
    });
    base = new URL('/', t.url).toString();
    await t.client.callTool({ name: 'scrape_url', arguments: { url: `${site.url}/plain` } });
    await t.client.callTool({ name: 'scrape_url', arguments: { url: 'not a url' } });
  });
  afterAll(async () => {
    await t.close();
    await site.stop();
  });

  it('counts the calls of scrape_url by outcome and error code on /metrics', async () => {
    const text = await (await fetch(`${base}metrics`)).text();
    const calls = (outcome: string, code: string) =>
      sample(text, 'rampart_tool_calls_total', {
        server: 'web-scrape',
        gen_ai_tool_name: 'scrape_url',
        outcome,
        error_code: code,
      });
    expect(calls('success', '')).toBe(1);
    expect(calls('error', 'INVALID_ARGUMENTS')).toBe(1);
    expect(text).not.toContain(site.url);
  });

  it('is ready, and reports the scrape_url objectives on /slo', async () => {
    const ready = await readinessAfterWarmUp(`${base}health/ready`);
    expect(ready.status).toBe(200);
    const slo = (await (await fetch(`${base}slo`)).json()) as unknown;
    expect(JSON.stringify(slo)).toContain('scrape_url');
  });

  it('gives the agent a small summary of its own server as a resource', async () => {
    const res = await t.client.readResource({ uri: 'rampart://server/health' });
    const summary = JSON.parse((res.contents[0] as { text: string }).text) as {
      server: string;
      tools: { tool: string; calls: number }[];
    };
    expect(summary.server).toBe('web-scrape');
    // Only calls that ran count towards the objectives; the invalid one was refused.
    expect(summary.tools.find((x) => x.tool === 'scrape_url')?.calls).toBe(1);
  });

  it('answers get_metrics with the same summary as the resource', async () => {
    const res = await t.client.readResource({ uri: 'rampart://server/health' });
    const { generatedAt: _read, ...fromResource } = JSON.parse(
      (res.contents[0] as { text: string }).text,
    ) as Record<string, unknown>;
    const call = await t.client.callTool({ name: 'get_metrics', arguments: {} });
    expect(call.isError).toBeFalsy();
    const { generatedAt, ...fromTool } = call.structuredContent as Record<string, unknown>;
    expect(fromTool).toEqual(fromResource);
    expect(fromTool).toMatchObject({
      server: 'web-scrape',
      tools: expect.arrayContaining([expect.objectContaining({ tool: 'scrape_url', calls: 1 })]),
    });
    expect(Date.parse(generatedAt as string)).not.toBeNaN();
    // And as text, for clients that show text only.
    expect(JSON.parse((call.content as { text: string }[])[0].text)).toEqual(
      call.structuredContent,
    );
  });
});
