import { withDeadline } from './redis-client';

describe('withDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers as the command does when it settles in time, and leaves no timer behind', async () => {
    await expect(withDeadline(Promise.resolve('PONG'), 100, 'PING')).resolves.toBe('PONG');
    await expect(withDeadline(Promise.reject(new Error('READONLY')), 100, 'SET')).rejects.toThrow(
      'READONLY',
    );
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects, naming the command, when it has not settled in time; a late answer changes nothing', async () => {
    let answer!: (value: string) => void;
    const bounded = withDeadline(new Promise<string>((resolve) => (answer = resolve)), 100, 'EVAL');
    const outcome = bounded.then(
      () => 'answered',
      (e: unknown) => e,
    );
    jest.advanceTimersByTime(100);
    jest.runOnlyPendingTimers(); // the refusal waits one turn (setImmediate)
    expect(((await outcome) as Error).message).toBe('Redis did not answer EVAL within 100 ms');
    answer('OK');
    await expect(bounded).rejects.toThrow('within 100 ms');
  });

  it('lets an answer that arrived while the event loop was blocked past the deadline win', async () => {
    // A busy machine: the loop wakes after the deadline with the timer due and the answer read
    // in the same turn. The timer runs first; before the refusal waited a turn, it won.
    let answer!: (value: string) => void;
    const bounded = withDeadline(new Promise<string>((resolve) => (answer = resolve)), 100, 'EVAL');
    jest.advanceTimersByTime(100);
    answer('OK');
    await Promise.resolve();
    jest.runOnlyPendingTimers();
    await expect(bounded).resolves.toBe('OK');
  });
});
