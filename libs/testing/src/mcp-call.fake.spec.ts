import { fakeMcpCall } from './mcp-call.fake';

describe('fakeMcpCall', () => {
  it('records what the handler sends, as in the testing guide', () => {
    const { context, notified } = fakeMcpCall({
      target: 'scrape_url',
      meta: { progressToken: 't' },
    });
    const ctx = context();
    ctx.progress(0.5);
    ctx.log('info', 'hello');
    expect(notified).toEqual([
      { method: 'notifications/progress', params: { progressToken: 't', progress: 0.5 } },
      { method: 'notifications/message', params: { level: 'info', data: 'hello' } },
    ]);
    expect([ctx.target, ctx.method, ctx.era, ctx.transport, ctx.server]).toEqual([
      'scrape_url',
      'tools/call',
      'modern',
      'memory',
      'test',
    ]);
  });

  it('answers 2025-era questions with the given answer', async () => {
    const { context, sent } = fakeMcpCall({
      origin: { era: 'legacy', identity: { subject: 'u1' } },
      answer: () => ({ action: 'decline' }),
    });
    const ctx = context();
    expect(ctx.identity?.subject).toBe('u1');
    expect(await ctx.listRoots()).toEqual({ action: 'decline' });
    expect(sent).toEqual([{ method: 'roots/list' }]);
  });

  it('gives the call its arguments and signal', () => {
    const abort = new AbortController();
    const { call, context } = fakeMcpCall({ arguments: { q: 1 }, signal: abort.signal });
    expect(call.arguments).toEqual({ q: 1 });
    abort.abort();
    expect(context().signal.aborted).toBe(true);
  });
});
