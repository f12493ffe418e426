import { Inject, Injectable } from '@nestjs/common';
import { McpHook, McpProtocolError, type McpRequest, type McpRequestHook } from '@rampart/core';
import { RATE_LIMITED, RATE_LIMIT_UNAVAILABLE } from '../errors/messages.constant';
import { bucketKey } from '../guards/rate-limit-key';
import type {
  RateLimitKey,
  ResilienceModuleOptions,
} from '../interfaces/resilience-module-options.interface';
import { validateRateLimits, type NormalizedRateLimit } from '../policies/policy-validation';
import { publishRejection } from '../resilience-telemetry';
import { RATE_LIMITED_RPC_CODE } from '../resilience.constants';
import { RESILIENCE_MODULE_OPTIONS } from '../resilience.module-definition';
import { RateLimitStorage } from '../storage/rate-limit.storage';
import { COUNTED_METHODS } from './admitted-methods';

type StaticKey = Exclude<RateLimitKey, (...a: never[]) => unknown>;

/**
 * The endpoint-wide rate limit (`endpointRateLimit`): every `tools/call`, `resources/read` and
 * `prompts/get` of a caller takes a point, before dispatch. A refusal is HTTP 429 with
 * `Retry-After` over HTTP, a JSON-RPC error (code -32029, data `{ code: 'RATE_LIMITED',
 * retryAfterMs }`) elsewhere.
 *
 * @example
 * ```ts
 * ResilienceModule.forRoot({ endpointRateLimit: { points: 600, perMs: 60_000, key: 'ip' } });
 * ```
 */
@McpHook({ order: -900 })
@Injectable()
export class EndpointRateLimitHook implements McpRequestHook {
  private readonly limits?: NormalizedRateLimit[];
  private readonly server?: string;

  constructor(
    @Inject(RESILIENCE_MODULE_OPTIONS) options: ResilienceModuleOptions,
    @Inject(RateLimitStorage) private readonly storage: RateLimitStorage,
  ) {
    this.limits =
      options.endpointRateLimit === undefined
        ? undefined
        : validateRateLimits(
            options.endpointRateLimit,
            'ResilienceModule option endpointRateLimit',
          );
    this.server = options.server;
  }

  /** Runs only on the servers it limits, and not at all without `endpointRateLimit`. */
  enabledFor(server: string): boolean {
    return this.limits !== undefined && (this.server === undefined || server === this.server);
  }

  admit(request: McpRequest): Promise<void> | undefined {
    if (!this.limits || !COUNTED_METHODS.has(request.method)) return undefined;
    if (this.server !== undefined && request.server !== this.server) return undefined;
    return this.check(request, this.limits);
  }

  private async check(request: McpRequest, limits: NormalizedRateLimit[]): Promise<void> {
    const { identity, request: native } = request.origin;
    const verdicts = await Promise.all(
      limits.map((l) =>
        this.storage.consume(
          {
            id: `${request.server}:endpoint:${l.name}`,
            points: l.points,
            perMs: l.perMs,
            blockMs: l.blockMs,
          },
          bucketKey(l.key as StaticKey | undefined, identity, native),
        ),
      ),
    );
    const refused = verdicts
      .map((v, i) => ({ v, name: limits[i].name }))
      .filter(({ v }) => !v.allowed)
      .sort((a, b) => b.v.retryAfterMs - a.v.retryAfterMs)[0];
    if (!refused) return;
    publishRejection({ server: request.server, reason: 'rate-limit', scope: 'endpoint' });
    const retryAfterMs = refused.v.retryAfterMs;
    throw new McpProtocolError(
      RATE_LIMITED_RPC_CODE,
      refused.v.unavailable ? RATE_LIMIT_UNAVAILABLE() : RATE_LIMITED(refused.name, retryAfterMs),
      { code: 'RATE_LIMITED', retryAfterMs, limit: refused.name },
      429,
      retryAfterMs,
    );
  }
}
