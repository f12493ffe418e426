export const INVALID_OPTION = (decorator: string, where: string, problem: string) =>
  `Invalid @${decorator}() on ${where}: ${problem}`;
export const UNSAFE_RETRY = (where: string, tool: string) =>
  `@Retry() on ${where} (tool "${tool}") would run a tool that is not annotated idempotentHint or readOnlyHint more than once. Annotate the tool (@Tool({ annotations: { idempotentHint: true } })) if a repeated call is harmless, or pass @Retry({ ..., unsafe: true }) to accept duplicate side effects.`;
export const UNSAFE_DYNAMIC_RETRY = (tool: string) =>
  `The retry that ResilienceModule options give the dynamic tool "${tool}" is not applied: the tool is not annotated idempotentHint or readOnlyHint, so a retry could run it more than once. Add annotations: { idempotentHint: true } to addTool() if a repeated call is harmless, or give the retry unsafe: true to accept duplicate side effects.`;
export const INVALID_MODULE_OPTION = (path: string, problem: string) =>
  `Invalid ResilienceModule option "${path}": ${problem}`;
export const RATE_LIMITED = (limit: string, retryAfterMs: number) =>
  `Rate limit "${limit}" exceeded; try again in ${Math.ceil(retryAfterMs / 1000)}s.`;
export const RATE_LIMIT_UNAVAILABLE = () =>
  'The rate limiter is unavailable, so calls are refused for now; try again shortly.';
export const CIRCUIT_OPEN = (name: string) =>
  `${name} is failing and its circuit is open; calls are refused until it recovers.`;
export const OVERLOADED = (what: string) => `${what} is at capacity; try again shortly.`;
export const TIMED_OUT = (what: string, ms: number) => `${what} timed out after ${ms}ms.`;
export const IDEMPOTENCY_KEY_REUSED = (key: string) =>
  `The idempotency key "${key}" was already used with different arguments.`;
export const IDEMPOTENCY_KEY_TOO_LONG = (max: number, length: number) =>
  `An idempotency key has at most ${max} characters; this one has ${length}.`;
export const IDEMPOTENCY_UNAVAILABLE = () =>
  'The idempotency store is unavailable, so calls with an idempotency key are refused for now.';
export const CANCELLED = (tool: string) => `The call of ${tool} was cancelled by the client`;
export const REDIS_CLIENT_WITHOUT_SOCKET_TIMEOUT = (commandTimeoutMs: number) =>
  `The ioredis client given as ResilienceModule storage.redis has no socketTimeout: when Redis stops answering without closing the connection, the client keeps it, and every rate-limited or idempotent call waits commandTimeoutMs (${commandTimeoutMs} ms) before the fallback answers, for as long as Redis does not answer. Create it with socketTimeout (e.g. new Redis(url, { socketTimeout: ${commandTimeoutMs}, commandTimeout: ${commandTimeoutMs} })) to have it drop such a connection, so that calls fall back at once.`;
