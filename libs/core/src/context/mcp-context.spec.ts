import { createMcpCall, type McpCallInit } from '../dispatch/mcp-call.interface';
import { isInputRequiredSignal } from './input-required.signal';
import { McpContext, type McpCallOrigin, type RoundState } from './mcp-context';

type Fake = Omit<McpCallInit, 'server' | 'origin' | 'params'>;

function sdkContext(
  overrides: { meta?: Record<string, unknown>; inputResponses?: Record<string, unknown> } = {},
) {
  const notified: unknown[] = [];
  const sent: unknown[] = [];
  const ctx: Fake = {
    id: 1,
    method: 'tools/call',
    meta: overrides.meta,
    inputResponses: overrides.inputResponses,
    signal: new AbortController().signal,
    notify: async (n) => {
      notified.push(n);
    },
    send: async (r) => {
      sent.push(r);
      return { action: 'accept', content: { name: 'Ada' } };
    },
    log: async () => undefined,
  };
  return { ctx, notified, sent };
}

/** An McpContext over a call built from the fake. */
function contextOf(
  fake: Fake,
  origin: McpCallOrigin,
  server: string,
  target: string,
  round?: RoundState,
): McpContext {
  const call = createMcpCall({ ...fake, server, origin, params: { name: target } });
  return new McpContext(call, target, round);
}

const origin = (era: 'modern' | 'legacy', extra: Partial<McpCallOrigin> = {}): McpCallOrigin => ({
  transport: 'http',
  era,
  ...extra,
});

const form = {
  mode: 'form' as const,
  message: 'Name?',
  requestedSchema: { type: 'object' as const, properties: {} },
};

describe('McpContext', () => {
  it('sends progress only when the client gave a progress token', () => {
    const without = sdkContext();
    contextOf(without.ctx, origin('modern'), 's', 't').progress(0.5);
    expect(without.notified).toEqual([]);

    const withToken = sdkContext({ meta: { progressToken: 'tok' } });
    contextOf(withToken.ctx, origin('modern'), 's', 't').progress(1, 'half', 2);
    expect(withToken.notified).toEqual([
      {
        method: 'notifications/progress',
        params: { progressToken: 'tok', progress: 1, total: 2, message: 'half' },
      },
    ]);
  });

  it('prefers the traceparent of _meta over the HTTP header', () => {
    const header = { traceparent: '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01' };
    const fromHeader = contextOf(
      sdkContext().ctx,
      origin('modern', { headerTrace: header }),
      's',
      't',
    );
    expect(fromHeader.trace).toEqual(header);
    const meta = {
      traceparent: '00-cccccccccccccccccccccccccccccccc-dddddddddddddddd-01',
      tracestate: 'k=v',
    };
    const fromMeta = contextOf(
      sdkContext({ meta }).ctx,
      origin('modern', { headerTrace: header }),
      's',
      't',
    );
    expect(fromMeta.trace).toEqual(meta);
  });

  it('on 2026-07-28, ends the round with the question when it has no answer yet', async () => {
    const ctx = contextOf(sdkContext().ctx, origin('modern'), 's', 't');
    const error = await ctx.elicit(form).catch((e: unknown) => e);
    expect(isInputRequiredSignal(error)).toBe(true);
    expect((error as { inputRequests: unknown }).inputRequests).toEqual({
      'input-0': { method: 'elicitation/create', params: form },
    });
  });

  it('on 2026-07-28, returns answers of this round and of earlier rounds in question order', async () => {
    const first = { action: 'accept', content: { name: 'Ada' } };
    const second = { action: 'decline' };
    const ctx = contextOf(
      sdkContext({ inputResponses: { 'input-1': second } }).ctx,
      origin('modern'),
      's',
      't',
      { responses: { 'input-0': first } },
    );
    expect(await ctx.elicit(form)).toEqual(first);
    expect(await ctx.elicit(form)).toEqual(second);
    expect(ctx.roundState()).toEqual({
      responses: { 'input-0': first, 'input-1': second },
      for: 'tools/call t',
    });
    await expect(ctx.listRoots()).rejects.toMatchObject({
      inputRequests: { 'input-2': { method: 'roots/list' } },
    });
  });

  it('asks several questions in one round on 2026-07-28, only those still unanswered', async () => {
    const ctx = contextOf(
      sdkContext({ inputResponses: { a: { roots: [] } } }).ctx,
      origin('modern'),
      's',
      't',
    );
    const error = await ctx
      .askAll({
        a: { method: 'roots/list' },
        b: { method: 'elicitation/create', params: form },
      } as never)
      .catch((e: unknown) => e);
    expect((error as { inputRequests: Record<string, unknown> }).inputRequests).toEqual({
      b: { method: 'elicitation/create', params: form },
    });
  });

  it('on 2026-07-28, takes only answers that are valid results of the question, and asks the others again', async () => {
    // A client (or an attacker replaying one) answers with values a handler must never see as
    // an ElicitResult: a number, a sampling answer, a key that only exists on Object.prototype.
    const sampled = { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' };
    const ctx = contextOf(
      sdkContext({
        inputResponses: { number: 12345, wrong: sampled, sample: sampled, roots: { roots: [] } },
      }).ctx,
      origin('modern'),
      's',
      't',
    );
    for (const key of ['number', 'wrong', 'constructor', 'toString'])
      await expect(ctx.elicit(form, key)).rejects.toMatchObject({
        inputRequests: { [key]: { method: 'elicitation/create', params: form } },
      });
    expect(await ctx.sample({ messages: [], maxTokens: 5 }, 'sample')).toEqual(sampled);
    expect(await ctx.listRoots('roots')).toEqual({ roots: [] });
    await expect(ctx.listRoots('sample')).rejects.toMatchObject({
      inputRequests: { sample: { method: 'roots/list' } },
    });
    const error = await ctx
      .askAll({
        number: { method: 'elicitation/create', params: form },
        roots: { method: 'roots/list' },
      } as never)
      .catch((e: unknown) => e);
    expect((error as { inputRequests: Record<string, unknown> }).inputRequests).toEqual({
      number: { method: 'elicitation/create', params: form },
    });
  });

  it('on 2025-11-25, sends the question to the client and waits for the answer', async () => {
    const { ctx, sent } = sdkContext();
    const answer = await contextOf(ctx, origin('legacy'), 's', 't').elicit(form);
    expect(answer).toEqual({ action: 'accept', content: { name: 'Ada' } });
    expect(sent).toEqual([{ method: 'elicitation/create', params: form }]);
  });

  it('exposes identity and tenant from the origin', () => {
    const ctx = contextOf(
      sdkContext().ctx,
      origin('modern', { identity: { subject: 'u1', tenant: 'acme' } }),
      's',
      't',
    );
    expect([
      ctx.identity?.subject,
      ctx.tenant,
      ctx.era,
      ctx.transport,
      ctx.server,
      ctx.target,
    ]).toEqual(['u1', 'acme', 'modern', 'http', 's', 't']);
  });

  describe('linkSignal', () => {
    it('aborts ctx.signal when the linked signal aborts, until restored', () => {
      const { ctx } = sdkContext();
      const mcp = contextOf(ctx, origin('modern'), 's', 't');
      const clientSignal = mcp.signal;
      const attempt = new AbortController();
      const restore = mcp.linkSignal(attempt.signal);
      const narrowed = mcp.signal;
      attempt.abort(new Error('attempt timed out'));
      expect(narrowed.aborted).toBe(true);
      expect(clientSignal.aborted).toBe(false);
      restore();
      expect(mcp.signal).toBe(clientSignal);
    });

    it('keeps the client cancellation in a narrowed signal, and nests', () => {
      const client = new AbortController();
      const { ctx } = sdkContext();
      (ctx as { signal: AbortSignal }).signal = client.signal;
      const mcp = contextOf(ctx, origin('legacy'), 's', 't');
      const restoreOverall = mcp.linkSignal(new AbortController().signal);
      const overall = mcp.signal;
      const restoreAttempt = mcp.linkSignal(new AbortController().signal);
      client.abort();
      expect(mcp.signal.aborted).toBe(true);
      restoreAttempt();
      expect(mcp.signal).toBe(overall);
      restoreOverall();
      expect(mcp.signal).toBe(client.signal);
    });

    it('builds a signal given as a function only when ctx.signal is read', () => {
      const { ctx } = sdkContext();
      const mcp = contextOf(ctx, origin('modern'), 's', 't');
      let controller: AbortController | undefined;
      const make = jest.fn(() => (controller ??= new AbortController()).signal);
      const restore = mcp.linkSignal(make);
      expect(make).not.toHaveBeenCalled();
      const narrowed = mcp.signal;
      expect(make).toHaveBeenCalledTimes(1);
      expect(narrowed.aborted).toBe(false);
      controller!.abort(new Error('attempt timed out'));
      expect(narrowed.aborted).toBe(true);
      restore();
      expect(mcp.signal.aborted).toBe(false);
      // Never read while linked: never built.
      const unused = jest.fn(() => new AbortController().signal);
      mcp.linkSignal(unused)();
      expect(unused).not.toHaveBeenCalled();
    });
  });
});
