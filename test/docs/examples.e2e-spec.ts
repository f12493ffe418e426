import { createMcpTestApp } from '@rampart/testing';
import { GreetingsModule } from '../../docs/examples/getting-started.example';
import { ReportsModule, TimingInterceptor } from '../../docs/examples/pipeline.example';
import { QuotesModule, Upstream } from '../../docs/examples/resilience.example';
import { WeatherModule } from '../../docs/examples/observability.example';
import { OBSERVABILITY_REGISTRY } from '@rampart/observability';
import type { Registry } from 'prom-client';

const text = (r: { content: unknown }) =>
  (r.content as { text: string }[]).map((c) => c.text).join('');

describe('docs examples', () => {
  it('getting started: the greetings server works as the guide says', async () => {
    const t = await createMcpTestApp({ imports: [GreetingsModule] });
    try {
      const { tools } = await t.client.listTools();
      expect(tools[0].inputSchema).toMatchObject({
        required: ['name'],
        properties: { tone: { enum: ['formal', 'casual'] } },
      });
      expect(
        text(
          await t.client.callTool({ name: 'greet', arguments: { name: 'Ada', tone: 'formal' } }),
        ),
      ).toBe('Good day, Ada.');
      const bad = await t.client.callTool({ name: 'greet', arguments: { name: '', tone: 'rude' } });
      expect(bad.isError).toBe(true);
      expect((await t.client.readResource({ uri: 'note://welcome' })).contents[0]).toMatchObject({
        text: 'Welcome aboard!',
      });
      const prompt = await t.client.getPrompt({ name: 'card', arguments: { name: 'Ada' } });
      expect(prompt.messages[0].content).toEqual({
        type: 'text',
        text: 'Write a short casual greeting card for Ada.',
      });
    } finally {
      await t.close();
    }
  });

  it('pipeline: guard, class interceptor and filter act on tools as the guide says', async () => {
    const t = await createMcpTestApp({ imports: [ReportsModule], era: 'legacy' });
    try {
      expect(text(await t.client.callTool({ name: 'report', arguments: {} }))).toBe('all good');
      const denied = await t.client.callTool({ name: 'privateReport', arguments: {} });
      expect(JSON.parse(text(denied)).code).toBe('FORBIDDEN');
      const upstream = await t.client.callTool({ name: 'upstream', arguments: {} });
      expect(JSON.parse(text(upstream))).toEqual({
        code: 'UPSTREAM_UNAVAILABLE',
        message: 'billing API is down',
        retryable: true,
        retryAfterMs: 5000,
      });
      expect(t.app.get(TimingInterceptor).durations.map((d) => d.tool)).toEqual(['report']);
    } finally {
      await t.close();
    }
  });

  it('resilience: retries the flaky quote and replays the idempotent buy as the guide says', async () => {
    const t = await createMcpTestApp({ imports: [QuotesModule] });
    try {
      const quote = await t.client.callTool({ name: 'quote', arguments: { symbol: 'ACME' } });
      expect(JSON.parse(text(quote))).toEqual({ symbol: 'ACME', price: 40 });
      const buy = { name: 'buy', arguments: { orderId: 'o-1', symbol: 'ACME' } };
      expect(JSON.parse(text(await t.client.callTool(buy)))).toEqual({ orderId: 'o-1', charge: 1 });
      expect(JSON.parse(text(await t.client.callTool(buy)))).toEqual({ orderId: 'o-1', charge: 1 });
      expect(t.app.get(Upstream).charges).toBe(1);
      const reused = await t.client.callTool({
        name: 'buy',
        arguments: { orderId: 'o-1', symbol: 'XYZ' },
      });
      expect(JSON.parse(text(reused)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    } finally {
      await t.close();
    }
  });

  it('observability: tracked tools are counted by outcome, the opted-out one is not', async () => {
    const t = await createMcpTestApp({ imports: [WeatherModule] });
    try {
      await t.client.callTool({ name: 'forecast', arguments: { city: 'Oslo', apiKey: 'k' } });
      await t.client.callTool({ name: 'forecast', arguments: { city: 'Atlantis' } });
      await t.client.callTool({ name: 'ping', arguments: {} });
      const metrics = await t.app.get<Registry>(OBSERVABILITY_REGISTRY).metrics();
      expect(metrics).toContain(
        'rampart_tool_calls_total{server="weather",gen_ai_tool_name="forecast",outcome="success",error_code=""} 1',
      );
      expect(metrics).toContain(
        'rampart_tool_calls_total{server="weather",gen_ai_tool_name="forecast",outcome="error",error_code="NOT_FOUND"} 1',
      );
      expect(metrics).not.toContain('gen_ai_tool_name="ping"');
    } finally {
      await t.close();
    }
  });
});
