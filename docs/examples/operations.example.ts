// The observability guide's operational endpoints on their own port, compiled and run by
// test/security/operations-endpoints.e2e-spec.ts.
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { McpModule, Tool } from '@rampart/core';
import { ObservabilityEndpointsModule, ObservabilityModule } from '@rampart/observability';

@Injectable()
export class ClockTools {
  @Tool({ name: 'now', description: 'The server time', annotations: { readOnlyHint: true } })
  now() {
    return new Date().toISOString();
  }
}

@Module({
  imports: [
    McpModule.forRoot({ name: 'clock', version: '1.0.0' }),
    ObservabilityModule.forRoot({
      metrics: { allTools: true },
      health: true,
      slo: true,
      // The MCP port serves none of /metrics, /health/*, /slo: the operations port does.
      endpoints: { serve: false },
    }),
  ],
  providers: [ClockTools],
})
export class ClockModule {}

/** The two applications of one process: MCP on `port`, operations on `operationsPort`. */
export interface ClockServer {
  app: INestApplication;
  operations: INestApplication;
  /** MCP first (readiness turns 503 and requests drain while probes still get answers). */
  close(): Promise<void>;
}

/**
 * What `main.ts` does: `bootstrap(3000, 9464, '0.0.0.0')`, with the operations port left out of
 * the public load balancer.
 */
export async function bootstrap(
  port: number,
  operationsPort: number,
  host = '127.0.0.1',
): Promise<ClockServer> {
  const app = await NestFactory.create(ClockModule, { logger: false });
  app.enableShutdownHooks();
  await app.init();
  // A second Nest application that serves the first one's endpoints, from its instances.
  const operations = await NestFactory.create(ObservabilityEndpointsModule.forApp(app), {
    logger: false,
  });
  await operations.listen(operationsPort, host);
  await app.listen(port, host);
  return {
    app,
    operations,
    close: async () => {
      await app.close();
      await operations.close();
    },
  };
}
