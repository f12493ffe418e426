import type { McpProtocolError, McpRequest } from '@rampart/core';
import type {
  RateLimitRule,
  RateLimitStorage,
  RateLimitVerdict,
} from '../storage/rate-limit.storage';
import { EndpointRateLimitHook } from './endpoint-rate-limit.hook';

/** Records what it was asked; refuses the limits listed in `waits` with those waits. */
class RecordingStorage implements RateLimitStorage {
  readonly rules: RateLimitRule[] = [];
  constructor(private readonly waits: Record<string, number> = {}) {}

  consume(rule: RateLimitRule): Promise<RateLimitVerdict> {
    this.rules.push(rule);
    const wait = this.waits[rule.id];
    return Promise.resolve(
      wait === undefined
        ? { allowed: true, remaining: 1, retryAfterMs: 0 }
        : { allowed: false, remaining: 0, retryAfterMs: wait },
    );
  }
}

const request = (server: string): McpRequest =>
  ({ server, method: 'tools/call', id: 1, origin: { transport: 'memory' } }) as never;

const limits = [
  { name: 'burst', points: 5, perMs: 1_000 },
  { name: 'sustained', points: 100, perMs: 60_000 },
];

describe('EndpointRateLimitHook', () => {
  it('builds the storage rules of a server once, not per request', async () => {
    const storage = new RecordingStorage();
    const hook = new EndpointRateLimitHook({ endpointRateLimit: limits }, storage);
    await hook.admit(request('a'));
    await hook.admit(request('a'));
    await hook.admit(request('b'));
    expect(storage.rules.map((r) => r.id)).toEqual([
      'a:endpoint:burst',
      'a:endpoint:sustained',
      'a:endpoint:burst',
      'a:endpoint:sustained',
      'b:endpoint:burst',
      'b:endpoint:sustained',
    ]);
    expect(storage.rules[2]).toBe(storage.rules[0]);
    expect(storage.rules[3]).toBe(storage.rules[1]);
  });

  it('refuses with the longest wait of the limits that are empty', async () => {
    const storage = new RecordingStorage({
      'a:endpoint:burst': 400,
      'a:endpoint:sustained': 30_000,
    });
    const hook = new EndpointRateLimitHook({ endpointRateLimit: limits }, storage);
    const error = (await hook.admit(request('a'))!.catch((e: unknown) => e)) as McpProtocolError;
    expect(error.data).toEqual({ code: 'RATE_LIMITED', retryAfterMs: 30_000, limit: 'sustained' });
    expect([error.httpStatus, error.retryAfterMs]).toEqual([429, 30_000]);
  });
});
