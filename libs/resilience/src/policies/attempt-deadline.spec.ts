import type { McpContext } from '@rampart/core';
import { fakeMcpCall } from '@rampart/testing';
import { isTaskCancelledError } from 'cockatiel';
import { runWithDeadline } from './attempt-deadline';

function context(signal = new AbortController().signal): McpContext {
  return fakeMcpCall({ signal }).context();
}

/** A promise settled from outside, like a method waiting on I/O. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('runWithDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers the result in time, clears its timer and leaves ctx.signal as it was', async () => {
    const ctx = context();
    const before = ctx.signal;
    await expect(runWithDeadline(1_000, ctx, () => Promise.resolve('done'))).resolves.toBe('done');
    expect(jest.getTimerCount()).toBe(0);
    expect(ctx.signal).toBe(before);
  });

  it('passes the method error through', async () => {
    const boom = new Error('boom');
    await expect(runWithDeadline(1_000, context(), () => Promise.reject(boom))).rejects.toBe(boom);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects at the deadline even when the method ignores its signal', async () => {
    const work = pending<string>();
    const run = runWithDeadline(100, context(), () => work.promise);
    const outcome = run.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await jest.advanceTimersByTimeAsync(99);
    await jest.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(isTaskCancelledError(error)).toBe(true);
    // What the method answers later changes nothing.
    work.resolve('too late');
    await expect(run).rejects.toBe(error);
  });

  it('aborts ctx.signal at the deadline, and the method sees it aborted until it returns', async () => {
    const ctx = context();
    const caller = ctx.signal;
    const work = pending<void>();
    let seen: AbortSignal | undefined;
    const run = runWithDeadline(50, ctx, async () => {
      seen = ctx.signal;
      await work.promise;
      return ctx.signal.aborted;
    });
    run.catch(() => undefined);
    expect(seen).not.toBe(caller);
    expect(seen!.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(50);
    expect(seen!.aborted).toBe(true);
    expect(isTaskCancelledError(seen!.reason)).toBe(true);
    expect(ctx.signal.aborted).toBe(true);
    work.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(ctx.signal).toBe(caller);
    expect(caller.aborted).toBe(false);
  });

  it('builds no AbortController for a method that never reads ctx.signal', async () => {
    const ctx = context();
    const created = jest.spyOn(globalThis, 'AbortController');
    try {
      await runWithDeadline(1_000, ctx, () => Promise.resolve(1));
      expect(created).not.toHaveBeenCalled();
    } finally {
      created.mockRestore();
    }
  });

  it('narrows ctx.signal to the outer deadline as well, and to the client cancellation', async () => {
    const client = new AbortController();
    const ctx = context(client.signal);
    const overall = new AbortController();
    const work = pending<void>();
    let seen: AbortSignal | undefined;
    const run = runWithDeadline(
      1_000,
      ctx,
      async () => {
        seen = ctx.signal;
        await work.promise;
      },
      overall.signal,
    );
    overall.abort(new Error('overall deadline'));
    expect(seen!.aborted).toBe(true);
    work.resolve();
    await run;
    expect(ctx.signal).toBe(client.signal);
    const again = runWithDeadline(1_000, ctx, async () => {
      client.abort();
      return ctx.signal.aborted;
    });
    await expect(again).resolves.toBe(true);
  });
});
