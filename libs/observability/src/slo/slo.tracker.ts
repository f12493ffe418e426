import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { McpServers } from '@rampart/core';
import type { CallRecord } from '../recording/call-record.interface';
import { CallRecorder } from '../recording/call-recorder';
import { BUDGET_EXHAUSTED, SLO_OPTIONS } from './slo.constants';
import { SloMetadata } from './slo.decorator';
import type { SloObjective, SloOptions } from './slo-options.interface';
import { burnRate, errorBudgetRemaining, formatWindow, percentileFromBuckets } from './slo-math';
import { SlidingWindow, type WindowTotals } from './sliding-window';
import { resolveSloOptions, type ResolvedSloOptions } from './slo-options.resolve';

/** The state of one objective of one tool, as `/slo` serves it. */
export interface ObjectiveStatus {
  /** The target: a success ratio, or the fraction of calls within `thresholdMs`. */
  target: number;
  /** Latency objectives only: the threshold, in milliseconds. */
  thresholdMs?: number;
  /** Share of calls in the window that met it (`1` with no calls). */
  actual: number;
  /** Fraction of the error budget left; negative when overspent. */
  budgetRemaining: number;
  /** Burn rate by window label (`5m`, `1h`). */
  burnRate: Record<string, number>;
  /** Whether the budget is spent (`budgetRemaining <= 0` over at least `minCalls` calls). */
  exhausted: boolean;
}

/** One tool's figures over its SLO window. */
export interface ToolSloStatus {
  server: string;
  tool: string;
  windowMs: number;
  /** Calls counted in the window (denied, rate-limited and shed calls are not). */
  calls: number;
  /** Calls that failed. */
  failed: number;
  /** `failed / calls`; 0 with no calls. */
  errorRate: number;
  /** Estimated 95th percentile of the duration, in milliseconds; absent with no calls. */
  p95Ms?: number;
  /** The objectives; absent for tools without any. */
  objectives?: { success?: ObjectiveStatus; latency?: ObjectiveStatus };
  /** Whether `shedWhenExhausted` is set for this tool (and shedding is on). */
  sheds: boolean;
}

interface Tracked {
  server: string;
  tool: string;
  objective?: SloObjective;
  window: SlidingWindow;
}

/**
 * Keeps a bucketed sliding window of every tool's calls, fed by the {@link CallRecorder}, and
 * computes the SLOs from it: no timer, memory bounded by `maxTools × buckets`.
 *
 * A call counts when it is a `tools/call` whose decision is `allowed`, i.e. the tool ran: calls
 * `denied` by auth, `rate-limited` (limits, breakers, load and budget shedding) and `failed`
 * before running (invalid arguments, unknown tool) are not the tool's doing and do not count. A
 * counted call failed when its outcome is `error` (an `isError` result or a thrown error).
 *
 * A tool's objective is resolved on its first call, by server and tool: `SloOptions.tools[name]`,
 * else the `@Slo()` of the method its server's registry names, else `defaultObjective`.
 *
 * @example
 * ```ts
 * constructor(private readonly slo: SloTracker) {}
 * status() { return this.slo.report(); }
 * ```
 */
@Injectable()
export class SloTracker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SloTracker');
  readonly options: ResolvedSloOptions;
  private readonly servers = new Map<string, Map<string, Tracked>>();
  private unsubscribe?: () => void;
  private warnedFull = false;

  constructor(
    @Inject(SLO_OPTIONS) options: SloOptions | ResolvedSloOptions,
    private readonly recorder: CallRecorder,
    private readonly reflector: Reflector,
    @Optional() private readonly mcpServers?: McpServers,
  ) {
    this.options = resolveSloOptions(options);
  }

  onModuleInit(): void {
    // Idempotent: the same instance may also be provided under another token (a factory that
    // returns it), and Nest runs the hooks once per token.
    if (this.unsubscribe) return;
    this.unsubscribe = this.recorder.subscribe((record) => this.observe(record));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Adds one recorded call (the recorder's listener; public for tests). */
  observe(record: CallRecord): void {
    if (record.method !== 'tools/call' || !record.tool) return;
    // Only calls that ran count: refusals (auth, limits, shedding) and calls that failed before
    // running (invalid arguments, unknown tool) are not the tool's doing.
    if (record.decision !== 'allowed' || record.errorCode === BUDGET_EXHAUSTED) return;
    const tracked = this.track(record.server, record.tool);
    if (!tracked) return;
    const failed = record.outcome === 'error';
    const threshold = tracked.objective?.latency?.thresholdMs;
    tracked.window.record({
      atMs: record.startedAt + record.durationMs,
      durationMs: record.durationMs,
      failed,
      slow: threshold !== undefined && record.durationMs > threshold,
    });
  }

  /**
   * The objective of the tool `tool` of `server`, if it has one: `SloOptions.tools[tool]`, the
   * `@Slo()` of its method, or `defaultObjective`.
   */
  objectiveOf(server: string, tool: string): SloObjective | undefined {
    return (
      this.options.tools[tool] ?? this.decorated(server, tool) ?? this.options.defaultObjective
    );
  }

  /** The `@Slo()` of the method that declares `tool` on `server`, read from its registry. */
  private decorated(server: string, tool: string): SloObjective | undefined {
    const handler = this.mcpServers?.find(server)?.registry.tools.get(tool)?.handler;
    return handler?.kind === 'method' ? this.reflector.get(SloMetadata, handler.method) : undefined;
  }

  /** Figures of every tracked tool (of `server` only, when given), sorted by server and tool. */
  report(nowMs = Date.now(), server?: string): ToolSloStatus[] {
    const out: ToolSloStatus[] = [];
    for (const [name, tools] of this.servers) {
      if (server !== undefined && name !== server) continue;
      for (const tracked of tools.values()) out.push(this.statusOf(tracked, nowMs));
    }
    return out.sort((a, b) => a.server.localeCompare(b.server) || a.tool.localeCompare(b.tool));
  }

  /** One tool's figures; `undefined` when it has had no call. */
  status(server: string, tool: string, nowMs = Date.now()): ToolSloStatus | undefined {
    const tracked = this.servers.get(server)?.get(tool);
    return tracked && this.statusOf(tracked, nowMs);
  }

  /**
   * Whether calls of `tool` may be shed now: `shedWhenExhausted` is set and one of its budgets is
   * spent. Returns the time after which to try again, in milliseconds (one bucket), or
   * `undefined` when the tool is not shedding.
   */
  shedding(server: string, tool: string, nowMs = Date.now()): number | undefined {
    if (!this.options.shedding) return undefined;
    const tracked = this.servers.get(server)?.get(tool);
    if (!tracked?.objective?.shedWhenExhausted) return undefined;
    const { objectives } = this.statusOf(tracked, nowMs);
    if (!objectives?.success?.exhausted && !objectives?.latency?.exhausted) return undefined;
    const { bucketMs } = tracked.window;
    return bucketMs - (nowMs % bucketMs);
  }

  private statusOf(tracked: Tracked, nowMs: number): ToolSloStatus {
    const { window, objective } = tracked;
    const totals = window.totals(nowMs);
    const status: ToolSloStatus = {
      server: tracked.server,
      tool: tracked.tool,
      windowMs: window.windowMs,
      calls: totals.total,
      failed: totals.failed,
      errorRate: totals.total ? totals.failed / totals.total : 0,
      p95Ms: round(percentileFromBuckets(totals.latency, 0.95)),
      sheds: this.options.shedding && !!objective?.shedWhenExhausted,
    };
    if (!objective) return status;
    const spans = this.options.burnRateWindowsMs
      .map((ms) => Math.min(ms, window.windowMs))
      .filter((ms, i, all) => all.indexOf(ms) === i);
    const short = spans.map((ms) => [formatWindow(ms), window.totals(nowMs, ms)] as const);
    status.objectives = {};
    if (objective.success !== undefined)
      status.objectives.success = this.objectiveStatus(
        objective.success,
        totals,
        short,
        (t) => t.failed,
      );
    if (objective.latency)
      status.objectives.latency = {
        ...this.objectiveStatus(objective.latency.percentile, totals, short, (t) => t.slow),
        thresholdMs: objective.latency.thresholdMs,
      };
    return status;
  }

  private objectiveStatus(
    target: number,
    totals: WindowTotals,
    spans: readonly (readonly [string, WindowTotals])[],
    bad: (t: WindowTotals) => number,
  ): ObjectiveStatus {
    const budgetRemaining = errorBudgetRemaining(bad(totals), totals.total, target);
    return {
      target,
      actual: totals.total ? 1 - bad(totals) / totals.total : 1,
      budgetRemaining,
      burnRate: Object.fromEntries(
        spans.map(([label, t]) => [label, burnRate(bad(t), t.total, target)]),
      ),
      // A hair of tolerance: 1 - 0.99 is not exactly 0.01 in binary floating point.
      exhausted: totals.total >= this.options.minCalls && budgetRemaining <= 1e-9,
    };
  }

  private track(server: string, tool: string): Tracked | undefined {
    let tools = this.servers.get(server);
    if (!tools) this.servers.set(server, (tools = new Map()));
    let tracked = tools.get(tool);
    if (tracked) return tracked;
    if (tools.size >= this.options.maxTools) {
      if (!this.warnedFull)
        this.logger.warn(
          `Server "${server}" has more than ${this.options.maxTools} tools: further tools are not tracked (SloOptions.maxTools)`,
        );
      this.warnedFull = true;
      return undefined;
    }
    const objective = this.objectiveOf(server, tool);
    tracked = {
      server,
      tool,
      objective,
      window: new SlidingWindow(objective?.windowMs ?? this.options.windowMs, this.options.buckets),
    };
    tools.set(tool, tracked);
    return tracked;
  }
}

const round = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 10) / 10);
