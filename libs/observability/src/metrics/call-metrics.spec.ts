import { Counter, Histogram, Registry } from 'prom-client';
import { CallCounter, CallHistogram } from './call-metrics';

const BOUNDS = [0.005, 0.01, 0.1, 1];
const VALUES = [0.001, 0.005, 0.0051, 0.5, 1, 7];

describe('CallHistogram and CallCounter', () => {
  it('print exactly what prom-client prints for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const histogram = new CallHistogram('op_seconds', 'Duration', BOUNDS, ours);
    const counter = new CallCounter('calls_total', 'Calls', ours);
    const reference = new Histogram({
      name: 'op_seconds',
      help: 'Duration',
      labelNames: ['tool', 'outcome'],
      buckets: BOUNDS,
      registers: [theirs],
    });
    const referenceCounter = new Counter({
      name: 'calls_total',
      help: 'Calls',
      labelNames: ['tool', 'outcome'],
      registers: [theirs],
    });
    const ok = histogram.child({ tool: 'echo', outcome: 'success' });
    const failed = histogram.child({ tool: 'echo', outcome: 'error' });
    const okCalls = counter.child({ tool: 'echo', outcome: 'success' });
    for (const v of VALUES) {
      ok.observe(v);
      okCalls.inc();
      reference.labels('echo', 'success').observe(v);
      referenceCounter.labels('echo', 'success').inc();
    }
    failed.observe(0.02);
    reference.labels('echo', 'error').observe(0.02);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('puts a value equal to a bound in that bound’s bucket, and resets to zero', async () => {
    const registry = new Registry();
    const histogram = new CallHistogram('h', 'h', BOUNDS, registry);
    const series = histogram.child({ tool: 't' });
    series.observe(0.01);
    series.observe(2);
    expect([...series.counts]).toEqual([0, 1, 0, 0, 1]);
    expect(series.sum).toBeCloseTo(2.01);
    expect(series.count).toBe(2);
    registry.resetMetrics();
    expect([...series.counts]).toEqual([0, 0, 0, 0, 0]);
    expect(await registry.metrics()).toMatch(/^h_count\{tool="t"\} 0$/m);
  });
});
