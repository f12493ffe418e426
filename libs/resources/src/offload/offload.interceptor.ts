import { Injectable, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { McpExecutionContext, type McpCallInterceptor } from '@rampart/core';
import { from, mergeMap, type Observable } from 'rxjs';
import { OffloadMetadata } from '../decorators/offload.decorator';
import type { OffloadOptions } from '../interfaces/resources-module-options.interface';
import { Offloader } from './offloader.service';

/**
 * Carries out `@Offload()`: around a `tools/call` of a method that has it, a string or bytes
 * result larger than the threshold becomes the offloaded answer (preview, resource link,
 * `structuredContent`), owned by the caller. Passes everything else through untouched: other
 * calls, methods without `@Offload()`, results of other types (a full `CallToolResult`, an
 * object). Registered as a global interceptor by `ResourcesModule` unless
 * `globalInterceptor: false`; then apply it where wanted with `@UseInterceptors(OffloadInterceptor)`.
 *
 * @example
 * ```ts
 * ResourcesModule.forRoot({ keys, globalInterceptor: false });
 * // …
 * @UseInterceptors(OffloadInterceptor)
 * @Offload({ previewChars: 200 })
 * @Tool({ name: 'report' })
 * report() { return this.reports.render(); }
 * ```
 */
@Injectable()
export class OffloadInterceptor implements McpCallInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly offloader: Offloader,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.optionsFor(context);
    if (!options) return next.handle();
    return next
      .handle()
      .pipe(mergeMap((value) => from(Promise.resolve(this.apply(context, options, value)))));
  }

  interceptCall(context: ExecutionContext, next: () => Promise<unknown>): Promise<unknown> {
    const options = this.optionsFor(context);
    if (!options) return next();
    return next().then((value) => this.apply(context, options, value));
  }

  /** The `@Offload()` options of a `tools/call`, or `undefined` when there is nothing to do. */
  protected optionsFor(context: ExecutionContext): OffloadOptions | undefined {
    if (!McpExecutionContext.isMcp(context)) return undefined;
    const options = this.reflector.get(OffloadMetadata, context.getHandler());
    if (!options || McpExecutionContext.getContext(context).method !== 'tools/call')
      return undefined;
    return options;
  }

  private apply(context: ExecutionContext, options: OffloadOptions, value: unknown): unknown {
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) return value;
    const ctx = McpExecutionContext.getContext(context);
    return this.offloader.offloadIfLarge(value, { ...options, owner: ctx.identity });
  }
}
