import { type DynamicModule, Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { ObservabilityModule } from '@rampart/observability';
import { ResilienceModule } from '@rampart/resilience';
import { GreetingTools } from './greetings.tools';

@Module({})
export class AppModule {
  /** The server on Streamable HTTP (`/mcp` on the app's HTTP adapter), or on stdin/stdout. */
  static forRoot(options: { stdio: boolean }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        McpModule.forRoot({
          name: 'greetings',
          version: '1.0.0',
          http: options.stdio ? false : { path: '/mcp' },
          stdio: options.stdio,
        }),
        // Rate limits in memory; set REDIS_URL (and install ioredis) to share them across replicas.
        ResilienceModule.forRoot({ storage: { redis: process.env.REDIS_URL } }),
        // /metrics over HTTP; one log line per failed call (on stderr when serving on stdio).
        ObservabilityModule.forRoot({ metrics: true, logging: { level: 'warn' } }),
      ],
      providers: [GreetingTools],
    };
  }
}
