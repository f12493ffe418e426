// A Rampart server on stdio with per-call logging, for logging-stdio.e2e-spec.ts: run with
// ts-node (transpile only) against the built libraries.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { McpModule, StdioLogger } from '@rampart/core';
import { ObservabilityModule } from '@rampart/observability';
import { Logger } from 'nestjs-pino';
import { CalcTools } from './metrics-fixture';

@Module({
  imports: [
    McpModule.forRoot({ name: 'calc', version: '1.0.0', http: false, stdio: true }),
    ObservabilityModule.forRoot({ metrics: true, tracing: true, logging: { arguments: true } }),
  ],
  providers: [CalcTools],
})
class StdioAppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(StdioAppModule, {
    logger: new StdioLogger(),
    bufferLogs: true,
  });
  // Nest's own logs through the same pino instance (stderr, since a server runs on stdio).
  app.useLogger(app.get(Logger));
  await app.init();
}

void main();
