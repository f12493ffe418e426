import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ToolError } from '@rampart/core';
import { IdempotencyKeyReusedError } from '../errors/idempotency-key-reused.error';
import {
  CANCELLED,
  IDEMPOTENCY_KEY_REUSED,
  IDEMPOTENCY_UNAVAILABLE,
} from '../errors/messages.constant';
import { publishRejection } from '../resilience-telemetry';
import type { IdempotencyClaim, IdempotencyStorage } from '../storage/idempotency.storage';
import { InMemoryIdempotencyStorage } from '../storage/in-memory-idempotency.storage';
import { isStorageUnavailableError } from '../storage/storage-unavailable.error';

/** One keyed call, as the runner sees it. */
export interface IdempotentCall {
  /** Storage key: server, tool, caller and the client's key. */
  scope: string;
  /** The client's key, for messages. */
  key: string;
  fingerprint: string;
  ttlMs: number;
  /** How long a `pending` record may stand before another call takes the key over. */
  pendingMs: number;
  signal: AbortSignal;
  server: string;
  tool: string;
}

const MAX_POLL_MS = 500;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs keyed calls at most once per key: the first runs and its result is stored; a duplicate
 * replays it, or, while the first still runs, waits for it (sharing the promise in this process,
 * polling the storage across replicas); a key reused with other arguments is refused.
 */
export class IdempotencyRunner implements OnModuleInit, OnModuleDestroy {
  private readonly inflight = new Map<string, { fingerprint: string; promise: Promise<unknown> }>();
  /** Per-process records used while Redis is down (`insurance`). */
  readonly fallback = new InMemoryIdempotencyStorage();

  constructor(
    private readonly storage: IdempotencyStorage,
    private readonly onDown: 'insurance' | 'fail-closed',
  ) {}

  /** Starts the fallback store's expiry sweep (it is not a provider, so Nest does not). */
  onModuleInit(): void {
    this.fallback.onModuleInit();
  }

  onModuleDestroy(): void {
    this.fallback.onModuleDestroy();
  }

  async run(call: IdempotentCall, fn: () => Promise<unknown>): Promise<unknown> {
    const local = this.inflight.get(call.scope);
    if (local) {
      if (local.fingerprint !== call.fingerprint) throw this.reused(call);
      return local.promise;
    }
    const promise = this.claimAndRun(call, fn);
    this.inflight.set(call.scope, { fingerprint: call.fingerprint, promise });
    try {
      return await promise;
    } finally {
      if (this.inflight.get(call.scope)?.promise === promise) this.inflight.delete(call.scope);
    }
  }

  private async claimAndRun(call: IdempotentCall, fn: () => Promise<unknown>): Promise<unknown> {
    let pollMs = 20;
    for (;;) {
      const [store, claim] = await this.claim(call);
      if (claim.status === 'claimed') {
        let result: unknown;
        try {
          result = await fn();
        } catch (e) {
          await store.release(call.scope).catch(() => undefined);
          throw e;
        }
        await store
          .complete(call.scope, call.fingerprint, result, call.ttlMs)
          .catch(() => undefined);
        return result;
      }
      if (claim.fingerprint !== call.fingerprint) throw this.reused(call);
      if (claim.status === 'done') return claim.result;
      // Running on another replica: wait for its result (or for its claim to go). A client that
      // cancels meanwhile gets a tool error, not the raw abort reason (Nest would log a crash).
      await sleep(pollMs, call.signal).catch(() => {
        throw new ToolError('CANCELLED', CANCELLED(call.tool));
      });
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
    }
  }

  private async claim(call: IdempotentCall): Promise<[IdempotencyStorage, IdempotencyClaim]> {
    try {
      return [this.storage, await this.storage.claim(call.scope, call.fingerprint, call.pendingMs)];
    } catch (e) {
      if (!isStorageUnavailableError(e)) throw e;
      if (this.onDown === 'fail-closed')
        throw new ToolError('UNAVAILABLE', IDEMPOTENCY_UNAVAILABLE(), {
          retryable: true,
          retryAfterMs: 1_000,
        });
      return [
        this.fallback,
        await this.fallback.claim(call.scope, call.fingerprint, call.pendingMs),
      ];
    }
  }

  private reused(call: IdempotentCall): IdempotencyKeyReusedError {
    publishRejection({
      server: call.server,
      tool: call.tool,
      reason: 'idempotency-conflict',
      scope: 'tool',
    });
    return new IdempotencyKeyReusedError(IDEMPOTENCY_KEY_REUSED(call.key), {
      suggestions: ['Use a new idempotency key for a call with different arguments'],
    });
  }
}
