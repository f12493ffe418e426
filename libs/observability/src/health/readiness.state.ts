import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { CallRecorder } from '../recording/call-recorder';
import { HEALTH_OPTIONS } from './health.constants';
import type { ResolvedHealthOptions } from './resolve-health-options';

/**
 * Whether the app is shutting down, and the drain that goes with it: at
 * `beforeApplicationShutdown` readiness turns 503, then (after `shutdownDelayMs`) shutdown waits
 * until no MCP request is in flight (`CallRecorder.inFlight()`), for at most `gracePeriodMs`.
 * Nest closes the HTTP server only after this hook, so in-flight calls get their answers.
 *
 * Needs `app.enableShutdownHooks()` for SIGTERM; `app.close()` runs it in any case.
 *
 * @example
 * ```ts
 * constructor(private readonly readiness: ReadinessState) {}
 * canTakeWork() { return !this.readiness.shuttingDown; }
 * ```
 */
@Injectable()
export class ReadinessState implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Health');
  private shutdownStartedAt?: number;

  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: ResolvedHealthOptions,
    private readonly recorder: CallRecorder,
  ) {}

  /** Whether shutdown has begun (readiness answers 503 from then on). */
  get shuttingDown(): boolean {
    return this.shutdownStartedAt !== undefined;
  }

  /** MCP requests running now. */
  inFlight(): number {
    return this.recorder.inFlight();
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.shutdownStartedAt = Date.now();
    const { shutdownDelayMs, gracePeriodMs } = this.options;
    if (shutdownDelayMs > 0) await sleep(shutdownDelayMs);
    const deadline = Date.now() + gracePeriodMs;
    const waiting = this.recorder.inFlight();
    if (waiting > 0)
      this.logger.log(
        `Shutting down${signal ? ` on ${signal}` : ''}: waiting up to ${gracePeriodMs} ms for ${waiting} in-flight request(s)`,
      );
    while (this.recorder.inFlight() > 0 && Date.now() < deadline)
      await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
    const left = this.recorder.inFlight();
    if (left > 0)
      this.logger.warn(
        `Grace period of ${gracePeriodMs} ms over with ${left} request(s) still in flight: closing anyway`,
      );
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
