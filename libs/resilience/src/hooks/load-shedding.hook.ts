import { Inject, Injectable } from '@nestjs/common';
import {
  McpHook,
  McpProtocolError,
  type McpRelease,
  type McpRequest,
  type McpRequestHook,
} from '@rampart/core';
import { OVERLOADED } from '../errors/messages.constant';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import { publishRejection } from '../resilience-telemetry';
import { OVERLOADED_RPC_CODE } from '../resilience.constants';
import { RESILIENCE_MODULE_OPTIONS } from '../resilience.module-definition';
import { COUNTED_METHODS } from './admitted-methods';

/**
 * Server-wide load shedding (`loadShedding: { maxInFlight }`): counts `tools/call`,
 * `resources/read` and `prompts/get` requests in flight and refuses the one over the cap, before
 * dispatch: HTTP 503 with `Retry-After` over HTTP, a JSON-RPC error (code -32050, data
 * `{ code: 'OVERLOADED', retryAfterMs }`) on stdio. Lists, `initialize`, notifications and
 * streams are never refused.
 *
 * @example
 * ```ts
 * ResilienceModule.forRoot({ loadShedding: { maxInFlight: 200, retryAfterMs: 2_000 } });
 * ```
 */
@McpHook({ order: -1000 })
@Injectable()
export class LoadSheddingHook implements McpRequestHook {
  private inFlight = 0;
  private readonly max?: number;
  private readonly retryAfterMs: number;
  private readonly server?: string;

  constructor(@Inject(RESILIENCE_MODULE_OPTIONS) options: ResilienceModuleOptions) {
    this.max = options.loadShedding?.maxInFlight;
    this.retryAfterMs = options.loadShedding?.retryAfterMs ?? 1_000;
    this.server = options.server;
  }

  /** Requests admitted and not yet released. */
  get current(): number {
    return this.inFlight;
  }

  /** Runs only on the servers it protects, and not at all without `loadShedding`. */
  enabledFor(server: string): boolean {
    return this.max !== undefined && (this.server === undefined || server === this.server);
  }

  admit(request: McpRequest): McpRelease | undefined {
    if (this.max === undefined || !COUNTED_METHODS.has(request.method)) return undefined;
    if (this.server !== undefined && request.server !== this.server) return undefined;
    if (this.inFlight >= this.max) {
      publishRejection({ server: request.server, reason: 'overloaded', scope: 'endpoint' });
      throw new McpProtocolError(
        OVERLOADED_RPC_CODE,
        OVERLOADED(`Server ${request.server}`),
        { code: 'OVERLOADED', retryAfterMs: this.retryAfterMs },
        503,
        this.retryAfterMs,
      );
    }
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
    };
  }
}
