import { withDeadline as withRedisDeadline } from '@rampart/core';
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
 * is not cancelled: its late answer is ignored. Core's `withDeadline`, with this library's error
 * (the refusal waits one turn, so an answer read after a blocked event loop wins).
 *
 * @example
 * ```ts
 * const raw = await withDeadline(client.get(key), 1_000);
 * ```
 */
export function withDeadline<T>(command: Promise<T>, timeoutMs: number): Promise<T> {
  return withRedisDeadline(
    command,
    timeoutMs,
    'a storage command',
    () => new StorageUnavailableError(`Redis did not answer within ${timeoutMs} ms`),
  );
}
