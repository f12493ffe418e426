import { withDeadline } from './command-deadline';
import { StorageUnavailableError } from './storage-unavailable.error';

describe('withDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers as the command does when it settles in time, and leaves no timer behind', async () => {
    await expect(withDeadline(Promise.resolve('PONG'), 100)).resolves.toBe('PONG');
    await expect(withDeadline(Promise.reject(new Error('READONLY')), 100)).rejects.toThrow(
      'READONLY',
    );
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with a StorageUnavailableError when the command has not settled in time', async () => {
    let answer!: (value: string) => void;
    const command = new Promise<string>((resolve) => (answer = resolve));
    const bounded = withDeadline(command, 100);
    const outcome = bounded.then(
      () => 'answered',
      (e: unknown) => e,
    );
    jest.advanceTimersByTime(99);
    await Promise.resolve();
    jest.advanceTimersByTime(1);
    jest.runOnlyPendingTimers(); // the refusal waits one turn (setImmediate)
    const error = await outcome;
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toMatch(/did not answer within 100 ms/);
    // A late answer changes nothing.
    answer('PONG');
    await expect(bounded).rejects.toThrow(StorageUnavailableError);
  });

  it('lets an answer that arrived while the event loop was blocked past the deadline win', async () => {
    let answer!: (value: string) => void;
    const command = new Promise<string>((resolve) => (answer = resolve));
    const bounded = withDeadline(command, 100);
    // The deadline passes (the timer fires) and the answer is already there in the same turn:
    jest.advanceTimersByTime(100);
    answer('PONG');
    await Promise.resolve();
    jest.runOnlyPendingTimers();
    await expect(bounded).resolves.toBe('PONG');
  });
});
