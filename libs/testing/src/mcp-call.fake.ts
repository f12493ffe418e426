import {
  createMcpCall,
  McpContext,
  type McpCall,
  type McpCallOrigin,
  type McpNotification,
  type RoundState,
} from '@rampart/core';

/** Options of {@link fakeMcpCall}. */
export interface FakeMcpCallOptions {
  /** @default 'tools/call' */
  method?: string;
  /** Tool or prompt name, or resource URI. @default 'tool' */
  target?: string;
  /** Arguments of the call. @default {} */
  arguments?: Record<string, unknown>;
  /** `_meta` of the request (without envelope keys). */
  meta?: Record<string, unknown>;
  /** The 2026-07-28 envelope. */
  envelope?: Record<string, unknown>;
  /** Transport, era, identity…; `transport: 'memory', era: 'modern'` by default. */
  origin?: Partial<McpCallOrigin>;
  /** @default a signal that never aborts */
  signal?: AbortSignal;
  inputResponses?: Record<string, unknown>;
  /** @default 'test' */
  server?: string;
  /** Answers `send()` (2025-era server-to-client requests). */
  answer?: (request: McpNotification) => unknown;
}

/** A call built by {@link fakeMcpCall}, with what it sent. */
export interface FakeMcpCall {
  call: McpCall;
  /** Notifications sent (progress, log messages), in order. */
  notified: McpNotification[];
  /** Server-to-client requests sent, in order. */
  sent: McpNotification[];
  /** An {@link McpContext} over the call. */
  context: (previousRound?: RoundState) => McpContext;
}

/**
 * An {@link McpCall} for unit tests of guards, interceptors and policies, with no transport: it
 * records what the handler sends.
 *
 * @example
 * ```ts
 * const { context, notified } = fakeMcpCall({ meta: { progressToken: 't' } });
 * context().progress(0.5);
 * expect(notified).toHaveLength(1);
 * ```
 */
export function fakeMcpCall(options: FakeMcpCallOptions = {}): FakeMcpCall {
  const notified: McpNotification[] = [];
  const sent: McpNotification[] = [];
  const method = options.method ?? 'tools/call';
  const target = options.target ?? 'tool';
  const named = method === 'tools/call' || method === 'prompts/get';
  const call = createMcpCall({
    server: options.server ?? 'test',
    id: 1,
    method,
    params: named ? { name: target, arguments: options.arguments ?? {} } : { uri: target },
    meta: options.meta,
    envelope: options.envelope,
    origin: { transport: 'memory', era: 'modern', ...options.origin },
    signal: options.signal ?? new AbortController().signal,
    inputResponses: options.inputResponses,
    notify: async (n) => {
      notified.push(n);
    },
    log: async (level, data, logger) => {
      notified.push({
        method: 'notifications/message',
        params: { level, data, ...(logger && { logger }) },
      });
    },
    send: async (r) => {
      sent.push(r);
      return options.answer?.(r);
    },
  });
  return {
    call,
    notified,
    sent,
    context: (previousRound) => new McpContext(call, target, previousRound),
  };
}
