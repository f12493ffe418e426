import { StorageUnavailableError } from './storage-unavailable.error';

/**
 * Default of `storage.commandTimeoutMs`: the longest wait for Redis on one storage command, in
 * milliseconds.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;

/**
 * Settles as `command` does, or rejects with a {@link StorageUnavailableError} when it has not
 * settled within `timeoutMs`. A Redis that stops answering without closing its connection (a
 * frozen process, a network partition) leaves a command pending until it answers again; this is
 * what lets the fallback answer meanwhile, whatever the client's own settings. The command itself
 * is not cancelled: its late answer is ignored.
 *
 * @example
 * ```ts
 * const raw = await withDeadline(client.get(key), 1_000);
 * ```
 */
export function withDeadline<T>(command: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // The refusal waits one turn (setImmediate, after the poll phase): when the event loop was
    // blocked past the deadline, an answer that arrived meanwhile is read first and wins.
    const timer = setTimeout(
      () =>
        setImmediate(() =>
          reject(new StorageUnavailableError(`Redis did not answer within ${timeoutMs} ms`)),
        ),
      timeoutMs,
    );
    command.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
