import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Args, McpModule, Tool, ToolError } from '@rampart/core';
import { CircuitBreaker, ResilienceModule, Retry } from '@rampart/resilience';
import { IsUrl } from 'class-validator';

/** Arguments of `fetch_page`: validated by the pipes, after the breaker key is computed. */
export class FetchPageInput {
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;
}

/** The host of a call's URL; throws on arguments that are not validated yet (no URL). */
export const hostOf = (args: Record<string, unknown>) => new URL(String(args.url)).host;

/** Tools behind circuit breakers; `down` and `failing` say which upstreams fail. */
@Injectable()
export class UpstreamTools {
  /** Hosts whose pages fail. */
  readonly down = new Set<string>();
  /** Runs of `fetch_page` by host. */
  readonly runs: Record<string, number> = {};
  /** Whether `sampled` fails. */
  failing = false;
  sampledRuns = 0;

  @Tool({ name: 'fetch_page', annotations: { readOnlyHint: true } })
  @CircuitBreaker({
    consecutiveFailures: 2,
    halfOpenAfterMs: 600_000,
    key: hostOf,
    maxKeys: 2,
    critical: true,
  })
  fetchPage(@Args() input: FetchPageInput) {
    const host = new URL(input.url).host;
    this.runs[host] = (this.runs[host] ?? 0) + 1;
    if (this.down.has(host)) throw new Error(`${host} is down`);
    return `page of ${host}`;
  }

  /** Runs of `fetch_any`. */
  anyRuns = 0;

  @Tool({ name: 'fetch_any', annotations: { readOnlyHint: true } })
  @CircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 600_000 })
  fetchAny(@Args() input: FetchPageInput) {
    this.anyRuns++;
    const host = new URL(input.url).host;
    if (this.down.has(host)) throw new Error(`${host} is down`);
    return `page of ${host}`;
  }

  /** Hosts whose pages come back unusable: an upstream fault that no retry mends. */
  readonly garbled = new Set<string>();
  /** Attempts of `fetch_checked` by host, retries included. */
  readonly checkedRuns: Record<string, number> = {};

  @Tool({ name: 'fetch_checked', annotations: { readOnlyHint: true } })
  @Retry({ attempts: 3, initialDelayMs: 1, maxDelayMs: 1 })
  @CircuitBreaker({ consecutiveFailures: 3, halfOpenAfterMs: 600_000, key: hostOf })
  fetchChecked(@Args() input: FetchPageInput) {
    const url = new URL(input.url);
    this.checkedRuns[url.host] = (this.checkedRuns[url.host] ?? 0) + 1;
    // Refused before any upstream I/O: the caller's fault (whatever `retryable` says).
    if (url.username)
      throw new ToolError('INVALID_URL', 'URLs with credentials are not fetched', {
        fault: 'caller',
        retryable: true,
      });
    if (this.down.has(url.host))
      throw new ToolError('NETWORK_ERROR', `${url.host} is down`, { retryable: true });
    if (this.garbled.has(url.host))
      throw new ToolError('UPSTREAM_GARBLED', `${url.host} sent garbage`, { fault: 'upstream' });
    return `page of ${url.host}`;
  }

  @Tool({ name: 'sampled', annotations: { readOnlyHint: true } })
  @CircuitBreaker({
    // At least 6 calls (0.1 per second over a minute), more than half of them failed.
    sampling: { threshold: 0.5, durationMs: 60_000, minimumRps: 0.1 },
    halfOpenAfterMs: 600_000,
  })
  sampled() {
    this.sampledRuns++;
    if (this.failing) throw new Error('upstream down');
    return 'fine';
  }
}

/** One server with the tools above and the resilience module. */
@Module({})
export class BreakersFixtureModule {
  static register(): DynamicModule {
    return {
      module: BreakersFixtureModule,
      imports: [
        McpModule.forRoot({ name: 'breakers', version: '1.0.0', http: { path: '/mcp' } }),
        ResilienceModule.forRoot({}),
      ],
      providers: [UpstreamTools],
    };
  }
}
