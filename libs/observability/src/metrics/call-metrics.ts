import type { Registry } from 'prom-client';

/** A metric value in the shape prom-client's registry formats. */
interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What prom-client's registry reads from a metric (`get()`), and the calls it may make. */
interface RegistryMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram' | 'counter';
  readonly aggregator: 'sum';
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: MetricValue[];
  }>;
  reset(): void;
}

/**
 * One label set of a {@link CallHistogram}: plain numbers on the call path.
 *
 * Why by hand: prom-client hashes the label values of a histogram child on every `observe()`
 * (≈4 µs per call measured in test/bench); a series that keeps its bucket counts itself costs a
 * few additions, and the registry formats it only when `/metrics` is scraped.
 */
export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is `+Inf`. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }
}

/** One label set of a {@link CallCounter}. */
export class CounterSeries {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(): void {
    this.value++;
  }
}

/**
 * A Prometheus histogram recorded with plain arithmetic per call and formatted by the prom-client
 * registry at scrape time (same text as a prom-client `Histogram`: `_bucket` with `le`, `_sum`,
 * `_count`). Series are made by the caller once per label set and kept.
 */
export class CallHistogram implements RegistryMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: HistogramSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** A new series for `labels` (keep it: the histogram does not look series up). */
  child(labels: Record<string, string>): HistogramSeries {
    const series = new HistogramSeries(labels, this.bounds);
    this.series.push(series);
    return series;
  }

  async get() {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i];
        values.push({
          labels: { le: this.bounds[i], ...s.labels },
          value: cumulative,
          metricName: bucket,
        });
      }
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucket });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    };
  }

  reset(): void {
    for (const s of this.series) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}

/** A Prometheus counter kept as plain numbers per call, formatted at scrape time. */
export class CallCounter implements RegistryMetric {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly series: CounterSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** A new series for `labels` (keep it: the counter does not look series up). */
  child(labels: Record<string, string>): CounterSeries {
    const series = new CounterSeries(labels);
    this.series.push(series);
    return series;
  }

  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.series.map((s) => ({ labels: s.labels, value: s.value })),
    };
  }

  reset(): void {
    for (const s of this.series) s.value = 0;
  }
}
