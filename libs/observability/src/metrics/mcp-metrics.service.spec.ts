import type { ModuleRef } from '@nestjs/core';
import { RampartChannel, type AccessEvent, type McpServers } from '@rampart/core';
import { channel } from 'node:diagnostics_channel';
import { Registry } from 'prom-client';
import type { MetricsOptions } from '../interfaces/observability-module-options.interface';
import { McpMetrics } from './mcp-metrics.service';
import { MetricName } from './metric-names';
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

describe('McpMetrics access refusals', () => {
  const access = channel(RampartChannel.access);
  let registry: Registry;
  let subject: McpMetrics;

  beforeEach(() => {
    registry = new Registry();
    const servers = { names: () => ['calc'] } as unknown as McpServers;
    subject = new McpMetrics(registry, {}, {} as TrackedTools, servers, {} as ModuleRef);
    subject.onModuleInit();
  });
  afterEach(() => subject.onApplicationShutdown());

  const values = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.map((v) => [v.labels, v.value]);

  it('counts refused credentials and denied calls apart, by server and reason', async () => {
    const events: AccessEvent[] = [
      { server: 'calc', stage: 'authentication', reason: 'bad-signature', address: '127.0.0.1' },
      { server: 'calc', stage: 'authentication', reason: 'bad-signature' },
      { server: 'calc', stage: 'authentication', reason: 'missing' },
      { server: 'calc', stage: 'authorization', reason: 'insufficient-scope', subject: 'bob' },
      { server: 'calc', stage: 'authorization', reason: 'policy', policies: ['p1'] },
      { server: 'operations', stage: 'authorization', reason: 'insufficient-scope' },
    ];
    for (const event of events) access.publish(event);
    expect(await values(MetricName.authFailures)).toEqual([
      [{ server: 'calc', reason: 'bad-signature' }, 2],
      [{ server: 'calc', reason: 'missing' }, 1],
    ]);
    expect(await values(MetricName.accessDenials)).toEqual([
      [{ server: 'calc', reason: 'insufficient-scope' }, 1],
      [{ server: 'calc', reason: 'policy' }, 1],
      [{ server: 'operations', reason: 'insufficient-scope' }, 1],
    ]);
  });

  it('folds reasons that are not short kebab-case words, and unknown servers, into bounded labels', async () => {
    const odd = [
      'Bad Signature',
      'x'.repeat(33),
      'trailing-',
      'double--dash',
      '1st',
      42 as unknown as string,
    ];
    for (const reason of odd) access.publish({ server: 'calc', stage: 'authentication', reason });
    access.publish({ server: 'calc', stage: 'authentication', reason: 'x'.repeat(32) });
    for (let i = 0; i < 12; i++)
      access.publish({ server: `edge-${i}`, stage: 'authorization', reason: 'role' });
    access.publish({ server: 'Not A Name', stage: 'authorization', reason: 'role' });
    expect(await values(MetricName.authFailures)).toEqual([
      [{ server: 'calc', reason: 'other' }, odd.length],
      [{ server: 'calc', reason: 'x'.repeat(32) }, 1],
    ]);
    const denials = await values(MetricName.accessDenials);
    // Eight names of unregistered servers, then `unknown`.
    expect(denials).toHaveLength(9);
    expect(denials.at(-1)).toEqual([{ server: 'unknown', reason: 'role' }, 5]);
  });

  it('caps the distinct reasons at 32', async () => {
    for (let i = 0; i < 40; i++)
      access.publish({ server: 'calc', stage: 'authentication', reason: `reason-${i}` });
    const failures = await values(MetricName.authFailures);
    expect(failures).toHaveLength(33);
    expect(failures).toContainEqual([{ server: 'calc', reason: 'other' }, 8]);
  });

  it('stops listening at shutdown', async () => {
    subject.onApplicationShutdown();
    access.publish({ server: 'calc', stage: 'authentication', reason: 'missing' });
    expect(await values(MetricName.authFailures)).toEqual([]);
  });
});
