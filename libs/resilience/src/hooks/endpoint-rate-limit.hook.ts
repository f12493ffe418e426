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
import { consumeAll, worstRefusal } from '../storage/limiter-verdict';
import {
  RateLimitStorage,
  type RateLimitRule,
  type RateLimitVerdict,
} from '../storage/rate-limit.storage';
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
  /** Storage rules by server (a hook serves every server of the app). */
  private readonly rules = new Map<string, RateLimitRule[]>();

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
    const limits = this.limits;
    const { identity, request: native } = request.origin;
    const verdicts = consumeAll(this.storage, this.rulesOf(request.server, limits), (i) =>
      bucketKey(limits[i].key as StaticKey, identity, native),
    );
    return Array.isArray(verdicts)
      ? this.decide(request, limits, verdicts)
      : verdicts.then((v) => this.decide(request, limits, v));
  }

  /** Admits the request, or refuses it with the verdict that waits longest. */
  private decide(
    request: McpRequest,
    limits: NormalizedRateLimit[],
    verdicts: RateLimitVerdict[],
  ): undefined {
    const worst = worstRefusal(verdicts);
    if (worst === -1) return undefined;
    publishRejection({ server: request.server, reason: 'rate-limit', scope: 'endpoint' });
    const { retryAfterMs, unavailable } = verdicts[worst];
    const name = limits[worst].name;
    throw new McpProtocolError(
      RATE_LIMITED_RPC_CODE,
      unavailable ? RATE_LIMIT_UNAVAILABLE() : RATE_LIMITED(name, retryAfterMs),
      { code: 'RATE_LIMITED', retryAfterMs, limit: name },
      429,
      retryAfterMs,
    );
  }

  /** The storage rules of the endpoint limits on `server`, built once per server. */
  private rulesOf(server: string, limits: NormalizedRateLimit[]): RateLimitRule[] {
    let rules = this.rules.get(server);
    if (!rules) {
      rules = limits.map((l) => ({
        id: `${server}:endpoint:${l.name}`,
        points: l.points,
        perMs: l.perMs,
        blockMs: l.blockMs,
      }));
      this.rules.set(server, rules);
    }
    return rules;
  }
}
