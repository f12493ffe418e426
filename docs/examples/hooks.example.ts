// The pipeline guide's request hook, compiled and run by test/docs/hooks-example.e2e-spec.ts.
import { Injectable, Module } from '@nestjs/common';
import {
  McpHook,
  McpModule,
  McpProtocolError,
  Tool,
  type McpRelease,
  type McpRequest,
  type McpRequestHook,
} from '@rampart/core';

/** Caps the tool calls in flight and records how long every request took. */
@McpHook({ order: -100 })
@Injectable()
export class InFlightCap implements McpRequestHook {
  static limit = 100;
  private inFlight = 0;
  readonly durations: { method: string; target?: string; ms: number }[] = [];

  admit(request: McpRequest): McpRelease | undefined {
    if (request.method !== 'tools/call') return undefined;
    if (this.inFlight >= InFlightCap.limit)
      throw new McpProtocolError(-32000, 'Server overloaded', { code: 'OVERLOADED' }, 503, 1_000);
    this.inFlight++;
    return () => this.inFlight--;
  }

  async around(request: McpRequest, next: () => Promise<unknown>) {
    const started = performance.now();
    try {
      return await next();
    } finally {
      this.durations.push({
        method: request.method,
        target: request.target,
        ms: performance.now() - started,
      });
    }
  }
}

@Injectable()
export class SlowTools {
  @Tool({ description: 'Waits a little' })
  async wait(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return 'done';
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'hooks-example', version: '1.0.0' })],
  providers: [InFlightCap, SlowTools],
})
export class HooksExampleModule {}
