import type { ModuleRef } from '@nestjs/core';
import type { McpServers } from '@rampart/core';
import { Registry } from 'prom-client';
import type { MetricsOptions } from '../interfaces/observability-module-options.interface';
import { McpMetrics } from './mcp-metrics.service';
import type { TrackedTools } from './tracked-tools';

// The constructor reads only the options and the registry; the rest is used per call.
const metrics = (options: MetricsOptions) =>
  new McpMetrics(new Registry(), options, {} as TrackedTools, {} as McpServers, {} as ModuleRef);

describe('McpMetrics options', () => {
  it.each([
    [{ durationBucketsSeconds: [0.1, 0.5, 0.1] }, /durationBucketsSeconds/],
    [{ durationBucketsSeconds: [0.1, Number.NaN] }, /durationBucketsSeconds/],
    [{ durationBucketsSeconds: [0.1, Number.POSITIVE_INFINITY] }, /durationBucketsSeconds/],
    [{ maxErrorCodesPerTool: -1 }, /maxErrorCodesPerTool/],
    [{ maxErrorCodesPerTool: 2.5 }, /maxErrorCodesPerTool/],
  ])('refuses %j at boot, naming the field', (options, message) => {
    expect(() => metrics(options)).toThrow(message);
  });

  it('takes buckets in any order', () => {
    expect(() =>
      metrics({ durationBucketsSeconds: [1, 0.1], maxErrorCodesPerTool: 0 }),
    ).not.toThrow();
  });
});
