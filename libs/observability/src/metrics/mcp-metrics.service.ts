import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import {
  RampartChannel,
  type AccessEvent,
  type ApprovalEvent,
  type BreakerStateEvent,
  type CacheEvent,
  type CacheEvictionEvent,
  type McpBreakerStates,
  type McpRequest,
  type McpServers,
  type RejectionEvent,
  type RetryEvent,
} from '@rampart/core';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MetricsOptions } from '../interfaces/observability-module-options.interface';
import {
  DEFAULT_DURATION_BUCKETS_SECONDS,
  DEFAULT_MAX_ERROR_CODES_PER_TOOL,
  OTHER_LABEL,
  UNKNOWN_LABEL,
} from '../observability.constants';
import type { CallRecord } from '../recording/call-record.interface';
import {
  CallCounter,
  CallHistogram,
  type CounterSeries,
  type HistogramSeries,
} from './call-metrics';
import { breakerStatesLookup } from '../breaker-states.lookup';
import type { TrackedTools } from './tracked-tools';
import { KNOWN_METHODS, MetricName } from './metric-names';

type DurationChild = HistogramSeries;
type CountChild = Counter.Internal;
type CallCountChild = CounterSeries;
/**
 * Requests in flight of one server and method, as {@link McpMetrics.enter} returns it: a plain
 * number, copied into the gauge at scrape time (cheaper than two gauge updates per call).
 */
export class InFlightChild {
  count = 0;
  constructor(
    readonly server: string,
    readonly method: string,
  ) {}
  dec(): void {
    this.count--;
  }
}

/** Outcomes of approvals, as label values; anything else is `other`. */
const APPROVAL_OUTCOMES = ['requested', 'approved', 'denied', 'expired', 'refused'] as const;
const TOOLS_CALL = 'tools/call';
/** A rejection reason as a label value: a short kebab-case word (each publisher names its own). */
const REASON = /^[a-z][a-z0-9-]{0,39}$/;
/** Most distinct rejection reasons before further ones are counted as `other`. */
const MAX_REASONS = 32;
/** An access refusal's reason as a label value: kebab-case, at most 32 characters. */
const ACCESS_REASON = /^(?=.{1,32}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** A server name that is not a registered server (`admin`, `operations`) as a label value. */
const OTHER_SERVER = ACCESS_REASON;
/** Most distinct names of unregistered servers before further ones are counted as `unknown`. */
const MAX_OTHER_SERVERS = 8;
const BREAKER_STATES = ['closed', 'open', 'half-open', 'isolated'] as const;
/** Most distinct breaker and cache names before they are counted as `OTHER`. */
const MAX_NAMES = 200;
/** Most keys of a keyed breaker remembered from events (when no state provider is present). */
const MAX_KEYS_PER_BREAKER = 10_000;

/** Label children of one method or tool, made once and reused by every call. */
class Series {
  private readonly errors = new Map<string, [DurationChild, CallCountChild | undefined]>();
  readonly okDuration: DurationChild;
  readonly okCalls?: CallCountChild;

  constructor(
    private readonly metrics: McpMetrics,
    private readonly method: string,
    private readonly tool: string,
    private readonly server: string | undefined,
    private readonly maxCodes: number,
  ) {
    [this.okDuration, this.okCalls] = this.children('success', '');
  }

  error(code: string): [DurationChild, CallCountChild | undefined] {
    let children = this.errors.get(code);
    if (!children) {
      const label = this.errors.size < this.maxCodes ? code : OTHER_LABEL;
      children = this.errors.get(label) ?? this.children('error', label);
      this.errors.set(label, children);
    }
    return children;
  }

  private children(outcome: string, code: string): [DurationChild, CallCountChild | undefined] {
    return [
      this.metrics.duration.child({
        mcp_method_name: this.method,
        gen_ai_tool_name: this.tool,
        outcome,
        error_type: code,
      }),
      this.server === undefined
        ? undefined
        : this.metrics.toolCalls.child({
            server: this.server,
            gen_ai_tool_name: this.tool,
            outcome,
            error_code: code,
          }),
    ];
  }
}

/**
 * The Prometheus instruments of Rampart, in the app's dedicated registry: per-request duration
 * and in-flight gauges fed by the {@link CallRecorder}, and the counters that other Rampart libs
 * report into over `node:diagnostics_channel` (rejections, breakers, retries, cache lookups,
 * refused credentials and denied calls).
 * Label children are built once per tool and method; labels are bounded (registry tool names,
 * capped error codes, no identities, arguments or URLs).
 *
 * @example
 * ```ts
 * const text = await app.get<Registry>(OBSERVABILITY_REGISTRY).metrics();
 * ```
 */
@Injectable()
export class McpMetrics implements OnModuleInit, OnApplicationShutdown {
  /** @internal */ readonly duration: CallHistogram;
  /** @internal */ readonly toolCalls: CallCounter;
  private readonly inFlightGauge: Gauge<string>;
  private readonly breakerGauge: Gauge<string>;
  private readonly rejections: Counter<string>;
  private readonly breakerTransitions: Counter<string>;
  private readonly retries: Counter<string>;
  private readonly cacheRequests: Counter<string>;
  private readonly cacheEvictions: Counter<string>;
  private readonly authFailures: Counter<string>;
  private readonly accessDenials: Counter<string>;
  private readonly approvals: Counter<string>;

  private readonly methodSeries = new Map<string, Series>();
  private readonly toolSeries = new Map<string, Map<string, Series | null>>();
  private readonly unknownToolSeries = new Map<string, Series | null>();
  private readonly inFlightChildren = new Map<string, Map<string, InFlightChild>>();
  private readonly eventChildren = new Map<string, CountChild>();
  private readonly breakerNames = new Set<string>();
  private readonly cacheNames = new Set<string>();
  private readonly breakerEvents = new Map<string, Map<string, string>>();
  private readonly breakerStates: () => McpBreakerStates | undefined;
  private readonly maxCodes: number;
  private readonly allServers: ReadonlySet<string> | undefined;

  private readonly onRejection = (event: unknown) => this.rejected(event as RejectionEvent);
  private readonly onBreaker = (event: unknown) => this.breakerChanged(event as BreakerStateEvent);
  private readonly onRetry = (event: unknown) => this.retried(event as RetryEvent);
  private readonly onCache = (event: unknown) => this.cacheLookup(event as CacheEvent);
  private readonly onCacheEviction = (event: unknown) =>
    this.cacheEvicted(event as CacheEvictionEvent);
  private readonly onAccess = (event: unknown) => this.accessRefused(event as AccessEvent);
  private readonly onApproval = (event: unknown) => this.approvalSeen(event as ApprovalEvent);

  constructor(
    registry: Registry,
    private readonly options: MetricsOptions,
    private readonly tracked: TrackedTools,
    private readonly servers: McpServers,
    moduleRef: ModuleRef,
  ) {
    this.breakerStates = breakerStatesLookup(moduleRef);
    this.maxCodes = options.maxErrorCodesPerTool ?? DEFAULT_MAX_ERROR_CODES_PER_TOOL;
    if (!(Number.isInteger(this.maxCodes) && this.maxCodes >= 0))
      throw new Error(
        `MetricsOptions.maxErrorCodesPerTool must be an integer >= 0; got ${this.maxCodes}`,
      );
    const buckets = durationBuckets(options.durationBucketsSeconds);
    this.allServers = options.allTools && options.servers ? new Set(options.servers) : undefined;
    const registers = [registry];
    // The two series of every call are kept as plain numbers and formatted at scrape time.
    this.duration = new CallHistogram(
      MetricName.operationDuration,
      'Duration of MCP requests as the server saw them, in seconds (OpenTelemetry mcp.server.operation.duration).',
      buckets,
      registry,
    );
    this.toolCalls = new CallCounter(
      MetricName.toolCalls,
      'Tool calls by server, tool, outcome and error code.',
      registry,
    );
    this.inFlightGauge = new Gauge({
      name: MetricName.inFlight,
      help: 'MCP requests running now.',
      labelNames: ['server', 'mcp_method_name'],
      registers,
      collect: () => {
        for (const byMethod of this.inFlightChildren.values())
          for (const child of byMethod.values())
            this.inFlightGauge.labels(child.server, child.method).set(child.count);
      },
    });
    this.rejections = new Counter({
      name: MetricName.rejections,
      help: 'Calls refused to protect the server (rate limits, load shedding, open breakers...).',
      labelNames: ['server', 'gen_ai_tool_name', 'reason', 'scope'],
      registers,
    });
    this.breakerGauge = new Gauge({
      name: MetricName.breakerState,
      help: 'Circuit breakers (keys of a keyed breaker added up) in each state.',
      labelNames: ['breaker', 'state'],
      registers,
      collect: () => this.collectBreakers(),
    });
    this.breakerTransitions = new Counter({
      name: MetricName.breakerTransitions,
      help: 'Circuit breaker state changes, by the state entered.',
      labelNames: ['breaker', 'state'],
      registers,
    });
    this.retries = new Counter({
      name: MetricName.retries,
      help: 'Retries of failed tool attempts.',
      labelNames: ['gen_ai_tool_name'],
      registers,
    });
    this.cacheRequests = new Counter({
      name: MetricName.cacheRequests,
      help: 'Cache lookups by cache and result (hit or miss).',
      labelNames: ['cache', 'result'],
      registers,
    });
    this.cacheEvictions = new Counter({
      name: MetricName.cacheEvictions,
      help: 'Cache entries dropped on purpose (an eviction of one entry or of a whole cache), by cache.',
      labelNames: ['cache'],
      registers,
    });
    this.authFailures = new Counter({
      name: MetricName.authFailures,
      help: 'Requests whose credentials were missing or refused, by reason.',
      labelNames: ['server', 'reason'],
      registers,
    });
    this.accessDenials = new Counter({
      name: MetricName.accessDenials,
      help: 'Calls denied by access control (scopes, roles, governance, policies), by reason.',
      labelNames: ['server', 'reason'],
      registers,
    });
    this.approvals = new Counter({
      name: MetricName.approvals,
      help: 'Approvals of calls that need one, by outcome (requested, approved, denied, expired, refused) and reason.',
      labelNames: ['server', 'outcome', 'reason'],
      registers,
    });
  }

  onModuleInit(): void {
    subscribe(RampartChannel.rejection, this.onRejection);
    subscribe(RampartChannel.breakerState, this.onBreaker);
    subscribe(RampartChannel.retry, this.onRetry);
    subscribe(RampartChannel.cache, this.onCache);
    subscribe(RampartChannel.cacheEviction, this.onCacheEviction);
    subscribe(RampartChannel.access, this.onAccess);
    subscribe(RampartChannel.approval, this.onApproval);
  }

  onApplicationShutdown(): void {
    unsubscribe(RampartChannel.rejection, this.onRejection);
    unsubscribe(RampartChannel.breakerState, this.onBreaker);
    unsubscribe(RampartChannel.retry, this.onRetry);
    unsubscribe(RampartChannel.cache, this.onCache);
    unsubscribe(RampartChannel.cacheEviction, this.onCacheEviction);
    unsubscribe(RampartChannel.access, this.onAccess);
    unsubscribe(RampartChannel.approval, this.onApproval);
  }

  /** Counts a request in flight; the caller decrements the returned child when it ends. */
  enter(request: McpRequest): InFlightChild {
    let byMethod = this.inFlightChildren.get(request.server);
    if (!byMethod) this.inFlightChildren.set(request.server, (byMethod = new Map()));
    let child = byMethod.get(request.method);
    if (!child) {
      // Only known methods and `other` are cached, so the map stays bounded.
      const label = KNOWN_METHODS.has(request.method) ? request.method : 'other';
      child = byMethod.get(label) ?? new InFlightChild(request.server, label);
      byMethod.set(label, child);
    }
    child.count++;
    return child;
  }

  /** Records a finished request. */
  record(record: CallRecord): void {
    let series: Series | null;
    if (record.method === TOOLS_CALL) {
      series = this.seriesOfTool(record.server, record.tool ?? '');
      if (!series) return;
    } else series = this.seriesOfMethod(record.method);
    const seconds = record.durationMs / 1000;
    if (record.outcome === 'success') {
      series.okDuration.observe(seconds);
      series.okCalls?.inc();
    } else {
      const [duration, calls] = series.error(record.errorCode ?? 'ERROR');
      duration.observe(seconds);
      calls?.inc();
    }
  }

  private seriesOfMethod(method: string): Series {
    let series = this.methodSeries.get(method);
    if (!series) {
      const label = KNOWN_METHODS.has(method) ? method : 'other';
      series =
        this.methodSeries.get(label) ?? new Series(this, label, '', undefined, this.maxCodes);
      this.methodSeries.set(label, series);
    }
    return series;
  }

  /** The series of a tool, or `null` when it is not tracked; resolved once per tool. */
  private seriesOfTool(server: string, tool: string): Series | null {
    let byTool = this.toolSeries.get(server);
    if (!byTool) this.toolSeries.set(server, (byTool = new Map()));
    const cached = byTool.get(tool);
    if (cached !== undefined) return cached;
    const entry = this.registryOf(server)?.tools.get(tool);
    if (!entry) {
      // Not in the registry: one shared series per server, the name never becomes a label.
      let unknown = this.unknownToolSeries.get(server);
      if (unknown === undefined) {
        unknown = this.allToolsFor(server)
          ? new Series(this, TOOLS_CALL, UNKNOWN_LABEL, server, this.maxCodes)
          : null;
        this.unknownToolSeries.set(server, unknown);
      }
      return unknown;
    }
    const tracked = this.tracked.decision(entry) ?? this.allToolsFor(server);
    const series = tracked ? new Series(this, TOOLS_CALL, tool, server, this.maxCodes) : null;
    byTool.set(tool, series);
    return series;
  }

  private allToolsFor(server: string): boolean {
    return !!this.options.allTools && (!this.allServers || this.allServers.has(server));
  }

  private registryOf(server: string) {
    return this.servers.find(server)?.registry;
  }

  private knownTool(server: string | undefined, tool: string | undefined): string {
    if (!tool) return '';
    const names = server ? [server] : this.servers.names();
    return names.some((s) => this.registryOf(s)?.tools.get(tool)) ? tool : UNKNOWN_LABEL;
  }

  private bounded(names: Set<string>, name: string): string {
    if (names.has(name)) return name;
    if (names.size >= MAX_NAMES) return OTHER_LABEL;
    names.add(name);
    return name;
  }

  private count(counter: Counter<string>, key: string, labels: () => string[]): void {
    let child = this.eventChildren.get(key);
    if (!child) {
      child = counter.labels(...labels());
      if (this.eventChildren.size < 10_000) this.eventChildren.set(key, child);
    }
    child.inc();
  }

  /** Reasons seen so far: the label set stays bounded whatever publishers send. */
  private readonly reasons = new Set<string>();

  /** The label of a rejection reason: the publisher's word, or `other` past the bound. */
  private reasonLabel(reason: unknown): string {
    if (typeof reason !== 'string' || !REASON.test(reason)) return 'other';
    if (this.reasons.has(reason)) return reason;
    if (this.reasons.size >= MAX_REASONS) return 'other';
    this.reasons.add(reason);
    return reason;
  }

  private rejected(event: RejectionEvent): void {
    const server = this.servers.names().includes(event.server) ? event.server : UNKNOWN_LABEL;
    const tool = this.knownTool(server, event.tool);
    const reason = this.reasonLabel(event.reason);
    const scope = event.scope === 'endpoint' ? 'endpoint' : 'tool';
    this.count(this.rejections, `r\0${server}\0${tool}\0${reason}\0${scope}`, () => [
      server,
      tool,
      reason,
      scope,
    ]);
  }

  /** Reasons of access refusals seen so far (their own bound, apart from rejections'). */
  private readonly accessReasons = new Set<string>();
  /** Names of unregistered servers seen in access events. */
  private readonly otherServers = new Set<string>();

  /**
   * The label of an access refusal's reason: the publisher's word when it is kebab-case and at
   * most 32 characters, else (and past the bound of distinct reasons) `other`.
   */
  private accessReasonLabel(reason: unknown): string {
    if (typeof reason !== 'string' || !ACCESS_REASON.test(reason)) return 'other';
    if (this.accessReasons.has(reason)) return reason;
    if (this.accessReasons.size >= MAX_REASONS) return 'other';
    this.accessReasons.add(reason);
    return reason;
  }

  /**
   * The label of the server of an access event: a registered server, or a short name the
   * publisher uses for endpoints outside MCP (`admin`, `operations`), bounded; else `unknown`.
   */
  private accessServerLabel(server: unknown): string {
    if (typeof server !== 'string') return UNKNOWN_LABEL;
    if (this.servers.names().includes(server) || this.otherServers.has(server)) return server;
    if (!OTHER_SERVER.test(server) || this.otherServers.size >= MAX_OTHER_SERVERS)
      return UNKNOWN_LABEL;
    this.otherServers.add(server);
    return server;
  }

  private accessRefused(event: AccessEvent): void {
    const server = this.accessServerLabel(event.server);
    const reason = this.accessReasonLabel(event.reason);
    if (event.stage === 'authentication')
      this.count(this.authFailures, `a\0${server}\0${reason}`, () => [server, reason]);
    else if (event.stage === 'authorization')
      this.count(this.accessDenials, `d\0${server}\0${reason}`, () => [server, reason]);
  }

  private approvalSeen(event: ApprovalEvent): void {
    const server = this.accessServerLabel(event.server);
    const outcome = (APPROVAL_OUTCOMES as readonly string[]).includes(event.outcome)
      ? event.outcome
      : 'other';
    const reason = event.reason === undefined ? 'none' : this.accessReasonLabel(event.reason);
    this.count(this.approvals, `p\0${server}\0${outcome}\0${reason}`, () => [
      server,
      outcome,
      reason,
    ]);
  }

  private breakerChanged(event: BreakerStateEvent): void {
    const name = this.bounded(this.breakerNames, event.name);
    const state = (BREAKER_STATES as readonly string[]).includes(event.state)
      ? event.state
      : 'other';
    this.count(this.breakerTransitions, `b\0${name}\0${state}`, () => [name, state]);
    let keys = this.breakerEvents.get(name);
    if (!keys) this.breakerEvents.set(name, (keys = new Map()));
    const key = event.key ?? '';
    if (keys.has(key) || keys.size < MAX_KEYS_PER_BREAKER) keys.set(key, state);
  }

  private retried(event: RetryEvent): void {
    const tool = this.knownTool(event.server, event.tool);
    this.count(this.retries, `t\0${tool}`, () => [tool]);
  }

  private cacheLookup(event: CacheEvent): void {
    const name = this.bounded(this.cacheNames, event.name);
    const result = event.hit ? 'hit' : 'miss';
    this.count(this.cacheRequests, `c\0${name}\0${result}`, () => [name, result]);
  }

  private cacheEvicted(event: CacheEvictionEvent): void {
    const name = this.bounded(this.cacheNames, event.name);
    this.count(this.cacheEvictions, `e\0${name}`, () => [name]);
  }

  /** Sets the breaker gauge at scrape time, from the breakers' owner when present, else from events. */
  private collectBreakers(): void {
    const gauge = this.breakerGauge;
    const states = this.breakerStates();
    const counts = new Map<string, Map<string, number>>();
    const add = (breaker: string, state: string) => {
      let states = counts.get(breaker);
      if (!states) counts.set(breaker, (states = new Map(BREAKER_STATES.map((s) => [s, 0]))));
      states.set(state, (states.get(state) ?? 0) + 1);
    };
    if (states)
      for (const b of states.snapshot()) add(this.bounded(this.breakerNames, b.name), b.state);
    else
      for (const [name, keys] of this.breakerEvents)
        for (const state of keys.values()) add(name, state);
    gauge.reset();
    for (const [breaker, states] of counts)
      for (const [state, n] of states) gauge.labels(breaker, state).set(n);
  }
}

/**
 * The histogram's bucket bounds, sorted; throws on a bound that is not finite (`+Inf` is always
 * added) or given twice, which would print duplicate `le` series that Prometheus refuses.
 */
function durationBuckets(given: readonly number[] | undefined): number[] {
  const bounds = [...(given ?? DEFAULT_DURATION_BUCKETS_SECONDS)].sort((a, b) => a - b);
  bounds.forEach((bound, i) => {
    if (!Number.isFinite(bound) || (i > 0 && bound === bounds[i - 1]))
      throw new Error(
        `MetricsOptions.durationBucketsSeconds must be distinct finite numbers; got [${given?.join(', ')}]`,
      );
  });
  return bounds;
}
