// The pipeline guide's guard, interceptor and filter, compiled and run by test/docs/examples.e2e-spec.ts.
import {
  Catch,
  Injectable,
  Module,
  UseFilters,
  UseGuards,
  UseInterceptors,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { tap } from 'rxjs';
import { McpExecutionContext, McpModule, Tool, ToolError } from '@rampart/core';

/** Only identified callers may call the tools it guards. */
@Injectable()
export class IdentifiedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!McpExecutionContext.isMcp(context)) return true;
    return McpExecutionContext.getContext(context).identity !== undefined;
  }
}

/** Records how long each tool call took. */
@Injectable()
export class TimingInterceptor implements NestInterceptor {
  readonly durations: { tool: string; ms: number }[] = [];

  intercept(context: ExecutionContext, next: CallHandler) {
    const started = performance.now();
    const tool = McpExecutionContext.getContext(context).target;
    return next
      .handle()
      .pipe(tap(() => this.durations.push({ tool, ms: performance.now() - started })));
  }
}

export class UpstreamDown extends Error {}

/** Turns an upstream outage into a retryable tool error. */
@Catch(UpstreamDown)
export class UpstreamFilter implements ExceptionFilter {
  catch(error: UpstreamDown): never {
    throw new ToolError('UPSTREAM_UNAVAILABLE', error.message, {
      retryable: true,
      retryAfterMs: 5_000,
    });
  }
}

@Injectable()
@UseInterceptors(TimingInterceptor)
export class ReportTools {
  @Tool({ description: 'Public report' })
  report() {
    return 'all good';
  }

  @Tool({ description: 'Report for identified callers only' })
  @UseGuards(IdentifiedGuard)
  privateReport() {
    return 'secret';
  }

  @Tool({ description: 'Calls a flaky upstream' })
  @UseFilters(UpstreamFilter)
  upstream() {
    throw new UpstreamDown('billing API is down');
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'reports', version: '1.0.0' })],
  providers: [ReportTools, TimingInterceptor],
})
export class ReportsModule {}
