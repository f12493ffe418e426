// The observability guide's example server, compiled and run by test/docs/examples.e2e-spec.ts.
import { Injectable, Module } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { Args, McpModule, Tool, ToolError } from '@rampart/core';
import { ObservabilityModule, TrackMetrics } from '@rampart/observability';

export class ForecastInput {
  @IsString() city!: string;
  /** A secret the tool needs: it gets it, the logs never show it. */
  @IsOptional() @IsString() apiKey?: string;
}

@Injectable()
@TrackMetrics() // every tool of the class: calls, outcomes, error codes, durations
export class WeatherTools {
  @Tool({ name: 'forecast', description: 'Tomorrow’s forecast for a city' })
  forecast(@Args() input: ForecastInput) {
    if (input.city === 'Atlantis') throw new ToolError('NOT_FOUND', 'No such city');
    return `Sunny in ${input.city}`;
  }

  @Tool({ name: 'ping', description: 'Liveness of the tool server' })
  @TrackMetrics({ enabled: false }) // too chatty to be worth a series
  ping() {
    return 'pong';
  }
}

@Module({
  imports: [
    McpModule.forRoot({ name: 'weather', version: '1.0.0' }),
    ObservabilityModule.forRoot({
      metrics: true, // /metrics in the Prometheus text format
      tracing: true, // spans go to the app's OpenTelemetry SDK, if it registered one
      logging: { level: 'warn', arguments: true }, // one line per call; failures only here
      redaction: { paths: ['city'] }, // on top of the defaults (keys like apiKey, emails, JWTs)
    }),
  ],
  providers: [WeatherTools],
})
export class WeatherModule {}
