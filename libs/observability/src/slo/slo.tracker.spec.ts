// The tracker needs the recorder as a DI token only; the FakeRecorder below stands in for it.
jest.mock('../recording/call-recorder', () => ({ CallRecorder: class CallRecorder {} }));

import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { McpRegistry, McpServers, Tool, type McpServerHost } from '@rampart/core';
import type { CallRecord } from '../recording/call-record.interface';
import type { CallRecorder } from '../recording/call-recorder';
import { Slo } from './slo.decorator';
import { SloTracker } from './slo.tracker';
import { resolveSloOptions } from './slo-options.resolve';
import type { SloOptions } from './slo-options.interface';

/** A hand-written CallRecorder: the tracker only subscribes. */
class FakeRecorder implements Pick<CallRecorder, 'subscribe' | 'inFlight'> {
  listeners: ((r: CallRecord) => void)[] = [];
  subscribe(listener: (r: CallRecord) => void) {
    this.listeners.push(listener);
    return () => void (this.listeners = this.listeners.filter((l) => l !== listener));
  }
  inFlight() {
    return 0;
  }
  emit(r: CallRecord) {
    this.listeners.forEach((l) => l(r));
  }
}

const call = (endMs: number, overrides: Partial<CallRecord> = {}): CallRecord => {
  const durationMs = overrides.durationMs ?? 20;
  return {
    server: 's',
    method: 'tools/call',
    tool: 'scrape',
    era: 'modern',
    transport: 'memory',
    startedAt: endMs - durationMs,
    durationMs,
    outcome: 'success',
    decision: 'allowed',
    correlationId: 'c',
    ...overrides,
  };
};
const failed = { outcome: 'error', decision: 'allowed', errorCode: 'NETWORK_ERROR' } as const;

function tracker(options: SloOptions, servers?: McpServers) {
  const recorder = new FakeRecorder();
  const t = new SloTracker(
    resolveSloOptions(options),
    recorder as unknown as CallRecorder,
    new Reflector(),
    servers,
  );
  t.onModuleInit();
  return { t, recorder };
}

describe('SloTracker on a known series', () => {
  // 1-minute window in six 10 s buckets; burn rates over 10 s and the whole minute.
  const options: SloOptions = {
    windowMs: 60_000,
    buckets: 6,
    burnRateWindowsMs: [10_000, 60_000],
    minCalls: 10,
    tools: {
      scrape: {
        success: 0.99,
        latency: { percentile: 0.9, thresholdMs: 100 },
        shedWhenExhausted: true,
      },
    },
  };

  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('computes budgets, burn rates and p95 as the window slides', () => {
    const { t, recorder } = tracker(options);
    // [0, 10 s): 50 fast calls of 50 ms, all good.
    for (let i = 0; i < 50; i++) recorder.emit(call(1_000 + i, { durationMs: 50 }));
    // [30 s, 40 s): 40 calls of 20 ms, 10 slow calls of 200 ms, 2 of them failures.
    for (let i = 0; i < 40; i++) recorder.emit(call(31_000 + i));
    for (let i = 0; i < 8; i++) recorder.emit(call(32_000 + i, { durationMs: 200 }));
    for (let i = 0; i < 2; i++) recorder.emit(call(33_000 + i, { durationMs: 200, ...failed }));

    jest.setSystemTime(35_000);
    const s = t.status('s', 'scrape')!;
    expect(s).toMatchObject({ calls: 100, failed: 2, errorRate: 0.02, windowMs: 60_000 });
    // 95th of 100: rank 95 lies in (100, 250] ms, which holds calls 91..100: 100 + 150 × 5/10.
    expect(s.p95Ms).toBe(175);
    const success = s.objectives!.success!;
    expect(success.actual).toBeCloseTo(0.98, 10);
    expect(success.budgetRemaining).toBeCloseTo(-1, 10); // 2 % bad of 1 % allowed
    expect(success.burnRate['1m']).toBeCloseTo(2, 10);
    expect(success.burnRate['10s']).toBeCloseTo(4, 10); // 2 of the 50 calls of [30 s, 40 s)
    expect(success.exhausted).toBe(true);
    const latency = s.objectives!.latency!;
    expect(latency).toMatchObject({ target: 0.9, thresholdMs: 100 });
    expect(latency.budgetRemaining).toBeCloseTo(0, 10); // 10 % slow of 10 % allowed
    expect(latency.exhausted).toBe(true);
    expect(t.shedding('s', 'scrape')).toBe(5_000); // until the next bucket starts

    // At 65 s the first bucket has left the window: 50 calls, 2 failed.
    jest.setSystemTime(65_000);
    const later = t.status('s', 'scrape')!;
    expect(later).toMatchObject({ calls: 50, failed: 2 });
    expect(later.objectives!.success!.budgetRemaining).toBeCloseTo(-3, 10);
    expect(later.objectives!.latency!.budgetRemaining).toBeCloseTo(-1, 10);
    expect(later.objectives!.success!.burnRate['10s']).toBe(0);

    // At 95 s both buckets are gone: the full budget is back and nothing is shed.
    jest.setSystemTime(95_000);
    const empty = t.status('s', 'scrape')!;
    expect(empty).toMatchObject({ calls: 0, errorRate: 0 });
    expect(empty.p95Ms).toBeUndefined();
    expect(empty.objectives!.success).toMatchObject({ budgetRemaining: 1, exhausted: false });
    expect(t.shedding('s', 'scrape')).toBeUndefined();
  });

  it('does not count denied, rate-limited, shed or invalid-argument calls against the tool', () => {
    const { t, recorder } = tracker(options);
    recorder.emit(call(1_000, { outcome: 'error', decision: 'denied', errorCode: 'FORBIDDEN' }));
    recorder.emit(call(1_000, { outcome: 'error', decision: 'rate-limited' }));
    recorder.emit(
      call(1_000, { outcome: 'error', decision: 'rate-limited', errorCode: 'BUDGET_EXHAUSTED' }),
    );
    recorder.emit(
      call(1_000, { outcome: 'error', decision: 'failed', errorCode: 'INVALID_ARGUMENTS' }),
    );
    recorder.emit(call(1_000, { method: 'tools/list', tool: undefined }));
    recorder.emit(call(1_000));
    expect(t.status('s', 'scrape', 2_000)).toMatchObject({ calls: 1, failed: 0 });
  });

  it('does not declare a budget spent before minCalls calls', () => {
    const { t, recorder } = tracker(options);
    for (let i = 0; i < 5; i++) recorder.emit(call(1_000, failed));
    expect(t.status('s', 'scrape', 2_000)!.objectives!.success!.exhausted).toBe(false);
    expect(t.shedding('s', 'scrape', 2_000)).toBeUndefined();
  });

  it('never sheds when shedding is switched off', () => {
    const { t, recorder } = tracker({ ...options, shedding: false });
    for (let i = 0; i < 20; i++) recorder.emit(call(1_000, failed));
    expect(t.status('s', 'scrape', 2_000)!.objectives!.success!.exhausted).toBe(true);
    expect(t.shedding('s', 'scrape', 2_000)).toBeUndefined();
  });

  it('tracks tools without objectives for their figures only, up to maxTools per server', () => {
    const { t, recorder } = tracker({ ...options, maxTools: 2 });
    recorder.emit(call(1_000, { tool: 'a' }));
    recorder.emit(call(1_000, { tool: 'b' }));
    recorder.emit(call(1_000, { tool: 'c' }));
    const report = t.report(2_000);
    expect(report.map((r) => r.tool)).toEqual(['a', 'b']);
    expect(report[0].objectives).toBeUndefined();
  });

  it('stops listening on shutdown', () => {
    const { t, recorder } = tracker(options);
    t.onApplicationShutdown();
    expect(recorder.listeners).toHaveLength(0);
  });
});

class Search {
  @Tool({ name: 'search' })
  @Slo({ success: 0.999 })
  run() {}
}

class OtherSearch {
  @Tool({ name: 'search' })
  run() {}
}

/** Servers whose registries declare the given `@Tool()` methods (`run`), as discovery does. */
function serversDeclaring(tools: Record<string, Type>): McpServers {
  const servers = new McpServers();
  for (const [server, type] of Object.entries(tools)) {
    const registry = new McpRegistry(server);
    const method = Object.getOwnPropertyDescriptor(type.prototype, 'run')!.value as () => void;
    registry.addTool({
      name: 'search',
      definition: { name: 'search', inputSchema: { type: 'object' } },
      source: `${type.name}.run`,
      handler: { kind: 'method', type, method, key: 'run' },
      invoke: () => Promise.resolve(undefined),
    });
    servers.register({ name: server, registry } as McpServerHost);
  }
  return servers;
}

describe('SloTracker objectives', () => {
  it("reads a tool's @Slo() from its server's registry, by server and tool", () => {
    const servers = serversDeclaring({ shop: Search, billing: OtherSearch });
    const { t } = tracker({}, servers);
    expect(t.objectiveOf('shop', 'search')).toEqual({ success: 0.999 });
    // Same name, another method without @Slo().
    expect(t.objectiveOf('billing', 'search')).toBeUndefined();
    expect(t.objectiveOf('nowhere', 'search')).toBeUndefined();
  });

  it('lets SloOptions.tools and defaultObjective override and complete the decorators', () => {
    const servers = serversDeclaring({ shop: Search, billing: OtherSearch });
    const { t } = tracker(
      { tools: { search: { success: 0.9 } }, defaultObjective: { success: 0.5 } },
      servers,
    );
    expect(t.objectiveOf('shop', 'search')).toEqual({ success: 0.9 });
    const { t: defaults } = tracker({ defaultObjective: { success: 0.5 } }, servers);
    expect(defaults.objectiveOf('shop', 'search')).toEqual({ success: 0.999 });
    expect(defaults.objectiveOf('billing', 'search')).toEqual({ success: 0.5 });
  });

  it("tracks a tool's calls against the objective its registry declares", () => {
    const { t, recorder } = tracker({}, serversDeclaring({ s: Search }));
    recorder.emit(call(1_000, { tool: 'search' }));
    expect(t.status('s', 'search', 2_000)!.objectives!.success!.target).toBe(0.999);
  });
});
