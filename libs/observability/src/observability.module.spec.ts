import { ImATeapotException, Inject, Injectable, Module, type CanActivate } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { McpModule } from '@rampart/core';
import { createMcpTestApp } from '@rampart/testing';
import { Registry } from 'prom-client';
import { OBSERVABILITY_ENDPOINTS, type EndpointPart } from './endpoints/observability-endpoints';
import { McpMetrics } from './metrics/mcp-metrics.service';
import { OBSERVABILITY_REDACTOR, OBSERVABILITY_REGISTRY } from './observability.constants';
import { ObservabilityModule } from './observability.module';
import { OBSERVABILITY_MODULE_OPTIONS } from './observability.module-definition';
import { CallRecorder } from './recording/call-recorder';
import { Redactor } from './redaction/redactor';
import { McpTracing } from './tracing/mcp-tracing.service';

@Injectable()
class NeedsObservability {
  constructor(
    readonly recorder: CallRecorder,
    @Inject(OBSERVABILITY_REGISTRY) readonly registry: Registry,
    @Inject(OBSERVABILITY_REDACTOR) readonly redactor: Redactor,
  ) {}
}

@Module({ providers: [NeedsObservability] })
class ConsumerModule {}

const mcp = McpModule.forRoot({ name: 'spec', version: '1.0.0', http: false });

describe('ObservabilityModule', () => {
  it('forRoot: assembles only the parts turned on', async () => {
    const module = await Test.createTestingModule({
      imports: [mcp, ObservabilityModule.forRoot({ metrics: true })],
    }).compile();
    expect(module.get(CallRecorder)).toBeInstanceOf(CallRecorder);
    expect(module.get(McpMetrics)).toBeInstanceOf(McpMetrics);
    expect(() => module.get(McpTracing)).toThrow();
    expect(module.get(OBSERVABILITY_REGISTRY)).toBeInstanceOf(Registry);
    await module.close();
  });

  it('forRoot without options: the recorder, redactor and registry, and no part', async () => {
    const module = await Test.createTestingModule({
      imports: [mcp, ObservabilityModule.forRoot()],
    }).compile();
    expect(module.get(CallRecorder)).toBeInstanceOf(CallRecorder);
    expect(module.get(OBSERVABILITY_REDACTOR)).toBeInstanceOf(Redactor);
    expect(() => module.get(McpMetrics)).toThrow();
    await module.close();
  });

  it('forRootAsync: options from a factory; isGlobal makes the exports visible everywhere', async () => {
    const module = await Test.createTestingModule({
      imports: [
        mcp,
        ConsumerModule,
        ObservabilityModule.forRootAsync({
          isGlobal: true,
          parts: { metrics: true, tracing: true, logging: false },
          useFactory: async () => ({ metrics: { allTools: true }, tracing: false }),
        }),
      ],
    }).compile();
    const consumer = module.get(NeedsObservability);
    expect(consumer.recorder).toBe(module.get(CallRecorder));
    expect(consumer.registry).toBeInstanceOf(Registry);
    expect(module.get(OBSERVABILITY_MODULE_OPTIONS)).toEqual({
      metrics: { allTools: true },
      tracing: false,
    });
    // assembled, but turned off by the factory's options
    expect(module.get(McpTracing, { strict: false })).toBeNull();
    expect(module.get(McpMetrics, { strict: false })).toBeInstanceOf(McpMetrics);
    await module.close();
  });

  it('forRootAsync without isGlobal keeps the exports to importers', async () => {
    await expect(
      Test.createTestingModule({
        imports: [
          mcp,
          ConsumerModule,
          ObservabilityModule.forRootAsync({ useFactory: () => ({}) }),
        ],
      }).compile(),
    ).rejects.toThrow(/NeedsObservability/);
  });
});

describe('ObservabilityModule with every part', () => {
  it.each([
    [
      'forRoot',
      () =>
        ObservabilityModule.forRoot({
          metrics: true,
          tracing: true,
          audit: true,
          health: true,
          slo: true,
          metricsResource: true,
        }),
    ],
    [
      'forRootAsync',
      () =>
        ObservabilityModule.forRootAsync({
          parts: {
            metrics: true,
            tracing: true,
            logging: false,
            audit: true,
            health: true,
            slo: true,
            metricsResource: true,
          },
          useFactory: () => ({ metrics: true, tracing: true }),
        }),
    ],
  ])('%s assembles audit, health, SLOs and the metrics resource', async (_name, observability) => {
    const t = await createMcpTestApp({
      imports: [McpModule.forRoot({ name: 'spec', version: '1.0.0' }), observability()],
      transport: 'http',
    });
    try {
      const get = (path: string) => fetch(new URL(path, t.url));
      expect((await get('/metrics')).status).toBe(200);
      expect((await get('/health/live')).status).toBe(200);
      expect((await get('/slo')).status).toBe(200);
      const { resources } = await t.client.listResources();
      expect(resources.map((r) => r.uri)).toContain('rampart://server/health');
    } finally {
      await t.close();
    }
  });
});

/** Refuses everything with a 418, to tell its refusals from any other answer. */
class TeapotGuard implements CanActivate {
  canActivate(): boolean {
    throw new ImATeapotException();
  }
}

describe('ObservabilityModule endpoints', () => {
  const every = { metrics: true, health: true, slo: true } as const;

  it.each([
    [
      'forRoot',
      () => ObservabilityModule.forRoot({ ...every, endpoints: { guards: [TeapotGuard] } }),
    ],
    [
      'forRootAsync',
      () =>
        ObservabilityModule.forRootAsync({
          parts: {
            ...every,
            tracing: false,
            logging: false,
            endpoints: { guards: [new TeapotGuard()] },
          },
          useFactory: () => ({ metrics: true }),
        }),
    ],
  ])('%s puts the guards on every endpoint', async (_name, observability) => {
    const t = await createMcpTestApp({
      imports: [McpModule.forRoot({ name: 'spec', version: '1.0.0' }), observability()],
      transport: 'http',
    });
    try {
      for (const path of ['/metrics', '/health/live', '/health/ready', '/slo'])
        expect((await fetch(new URL(path, t.url))).status).toBe(418);
    } finally {
      await t.close();
    }
  });

  it('serve: false leaves them out, and lists them for another app', async () => {
    const t = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'spec', version: '1.0.0' }),
        ObservabilityModule.forRoot({ ...every, endpoints: { serve: false } }),
      ],
      transport: 'http',
    });
    try {
      for (const path of ['/metrics', '/health/live', '/slo'])
        expect((await fetch(new URL(path, t.url))).status).toBe(404);
      expect(t.app.get<EndpointPart[]>(OBSERVABILITY_ENDPOINTS)).toHaveLength(3);
    } finally {
      await t.close();
    }
  });

  it('refuses a guard that is neither a class nor a guard, when assembled', () => {
    expect(() =>
      ObservabilityModule.forRoot({ metrics: true, endpoints: { guards: [{} as CanActivate] } }),
    ).toThrow(/endpoints\.guards/);
  });
});
